import { hkdfSync } from "node:crypto";
import type Redis from "ioredis";
import {
  type DuplicateKeySecretSources,
  resolveDuplicateKeySecret,
} from "../../producer/duplicate-key-secret";
import { deriveSecret } from "../../secrets";

/** The purpose label that separates this secret from the duplicate-key one it is derived from. */
const PURPOSE = "idempotency-fingerprint v1";

/**
 * The key of the request fingerprints' HMAC. It comes from where the producers' duplicate-key
 * secret comes from (DUPLICATE_KEY_SECRET, else the key ring, else the secret generated in Redis),
 * under a purpose label of its own, so that no secret serves two purposes: knowing one HMAC's key
 * does not give the other's. Every `serve` of a fleet derives the same one.
 */
export async function resolveIdempotencySecret(
  redis: Redis,
  redisKeyPrefix: string,
  sources: DuplicateKeySecretSources = {},
): Promise<string> {
  if (!sources.configured && sources.keyRing) return deriveSecret(sources.keyRing, PURPOSE);
  const base = await resolveDuplicateKeySecret(redis, redisKeyPrefix, {
    configured: sources.configured,
  });
  return deriveFromText(base, PURPOSE);
}

/** HKDF-SHA256 of a text secret, as `deriveSecret` does for a ring's key. */
function deriveFromText(secret: string, purpose: string): string {
  const bytes = hkdfSync("sha256", secret, Buffer.alloc(0), `axelnac-courier ${purpose}`, 32);
  return Buffer.from(bytes).toString("base64url");
}
