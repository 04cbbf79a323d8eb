import { hkdfSync } from "node:crypto";
import type { KeyRing } from "./key-ring";

/**
 * A secret for another purpose (the duplicate-key HMAC), derived from the ring's active key with
 * HKDF-SHA256, so that Redis holds none and no key serves two purposes. A new active key derives a
 * new secret: that is what a rotation after a leak needs.
 */
export function deriveSecret(ring: KeyRing, purpose: string): string {
  const bytes = hkdfSync(
    "sha256",
    ring.activeKey,
    Buffer.alloc(0),
    `axelnac-courier ${purpose}`,
    32,
  );
  return Buffer.from(bytes).toString("base64url");
}
