import { createHash } from "node:crypto";
import { isSealed, type KeyRing, open, seal } from "../secrets";

/**
 * How the shared token is kept in Redis: sealed under the key ring's active key when there is a
 * ring, bound (authenticated data) to the Redis key that holds it, so a sealed token copied to
 * another appliance's key does not open there.
 */
export function tokenAad(redisKey: string): string {
  return `token\n${redisKey}`;
}

/**
 * What processes compare to tell "the token I hold" from "a newer one": SHA-256 of the token.
 * The ciphertext cannot serve (a random IV makes every sealing differ, and rotation re-seals),
 * and a digest of a random API token gives nothing away.
 */
export function tokenFingerprint(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function sealToken(ring: KeyRing | undefined, token: string, redisKey: string): string {
  return ring ? seal(ring, token, tokenAad(redisKey)) : token;
}

export type OpenedToken = { ok: true; token: string } | { ok: false; reason: string };

/** A stored token in the clear: a plaintext one (stored before a ring was set) reads as it is. */
export function openToken(
  ring: KeyRing | undefined,
  stored: string,
  redisKey: string,
): OpenedToken {
  if (!isSealed(stored)) return { ok: true, token: stored };
  if (!ring) return { ok: false, reason: "it is sealed and JOB_ENCRYPTION_KEYS is not set" };
  const opened = open(ring, stored, tokenAad(redisKey));
  if (opened.ok) return { ok: true, token: opened.text };
  return {
    ok: false,
    reason:
      opened.problem === "unknown-key"
        ? `it is sealed under key ${opened.keyId}, which JOB_ENCRYPTION_KEYS lacks`
        : `it ${opened.detail}`,
  };
}
