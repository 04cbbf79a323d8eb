import { randomBytes } from "node:crypto";
import type Redis from "ioredis";
import { deriveSecret, type KeyRing } from "../secrets";

/** Where the generated secret lives, under REDIS_KEY_PREFIX. */
export function duplicateKeySecretKey(keyPrefix: string): string {
  return `${keyPrefix}:duplicate-key-secret`;
}

/** Where a producer's duplicate-key secret comes from, most preferred first. */
export interface DuplicateKeySecretSources {
  /** DUPLICATE_KEY_SECRET. */
  configured?: string;
  /** JOB_ENCRYPTION_KEYS: the secret is derived from its active key, and Redis holds none. */
  keyRing?: KeyRing;
}

/**
 * The key of the HMAC that names duplicate-protection entries. Every producer of the fleet must
 * use the same one, or none would recognise another's duplicates.
 *
 * The configured secret (DUPLICATE_KEY_SECRET) wins, then one derived from the key ring. Otherwise
 * the first producer generates 32 random bytes and keeps them in Redis with SET NX; everyone reads
 * back the winner, in the same round trip. A secret kept next to the keys it protects does not
 * protect a copy of the whole Redis (an RDB backup): configure one, or a key ring, for that.
 */
export async function resolveDuplicateKeySecret(
  redis: Redis,
  keyPrefix: string,
  sources: DuplicateKeySecretSources = {},
): Promise<string> {
  if (sources.configured) return sources.configured;
  if (sources.keyRing) return deriveSecret(sources.keyRing, "duplicate-key v1");
  const key = duplicateKeySecretKey(keyPrefix);
  const candidate = randomBytes(32).toString("base64url");
  const results = await redis.multi().set(key, candidate, "NX").get(key).exec();
  const [, stored] = results?.[1] ?? [];
  if (typeof stored !== "string" || stored.length === 0) {
    throw new Error(`Redis holds no duplicate-key secret at ${key} after setting it`);
  }
  return stored;
}
