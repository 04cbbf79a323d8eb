import { randomBytes } from "node:crypto";
import type Redis from "ioredis";

/** Where the generated secret lives, under REDIS_KEY_PREFIX. */
export function duplicateKeySecretKey(keyPrefix: string): string {
  return `${keyPrefix}:duplicate-key-secret`;
}

/**
 * The key of the HMAC that names duplicate-protection entries. Every producer of the fleet must
 * use the same one, or none would recognise another's duplicates.
 *
 * The configured secret (DUPLICATE_KEY_SECRET) wins. Otherwise the first producer generates 32
 * random bytes and keeps them in Redis with SET NX; everyone reads back the winner, in the same
 * round trip. A secret kept next to the keys it protects does not protect a copy of the whole
 * Redis (an RDB backup): configure one for that.
 */
export async function resolveDuplicateKeySecret(
  redis: Redis,
  keyPrefix: string,
  configured?: string,
): Promise<string> {
  if (configured) return configured;
  const key = duplicateKeySecretKey(keyPrefix);
  const candidate = randomBytes(32).toString("base64url");
  const results = await redis.multi().set(key, candidate, "NX").get(key).exec();
  const [, stored] = results?.[1] ?? [];
  if (typeof stored !== "string" || stored.length === 0) {
    throw new Error(`Redis holds no duplicate-key secret at ${key} after setting it`);
  }
  return stored;
}
