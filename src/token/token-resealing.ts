import type Redis from "ioredis";
import { isSealed, type KeyRing, sealedKeyId } from "../secrets";
import { openToken, sealToken } from "./token-sealing";

// KEYS[1] token hash. ARGV: the stored token as read, its replacement. The hash keeps its TTL,
// fingerprint and issue time; a token replaced by a login meanwhile is left alone.
const COMPARE_AND_SET_TOKEN = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'token', ARGV[2])
return 1`;

/** Every shared-token hash under the prefix: one per appliance and API account. */
export async function findTokenKeys(redis: Redis, keyPrefix: string): Promise<string[]> {
  // The token's key is `<prefix>:<16 hex digits of appliance and account>:token` (fleet-token.ts).
  const pattern = `${escapeGlob(keyPrefix)}:${"?".repeat(16)}:token`;
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000, "TYPE", "hash");
    keys.push(...found);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

/** Under which key each stored token is sealed (`plaintext` for none): key id → count. */
export async function tokenCensus(
  redis: Redis,
  keyPrefix: string,
): Promise<Record<string, number>> {
  const census: Record<string, number> = {};
  for (const key of await findTokenKeys(redis, keyPrefix)) {
    const stored = await redis.hget(key, "token");
    if (stored === null) continue;
    const under = isSealed(stored) ? (sealedKeyId(stored) ?? "(malformed)") : "plaintext";
    census[under] = (census[under] ?? 0) + 1;
  }
  return census;
}

export interface TokenRotation {
  resealed: number;
  discarded: number;
  /** Stored tokens this ring cannot open (a key it lacks): each is replaced at the next login. */
  unreadable: number;
}

/**
 * Seals every stored token under the ring's active key, or discards them (`discard`: after a
 * suspected leak, when the token itself may be known; the fleet then logs in once more).
 */
export async function rotateStoredTokens(
  redis: Redis,
  keyPrefix: string,
  ring: KeyRing,
  discard: boolean,
): Promise<TokenRotation> {
  const rotation: TokenRotation = { resealed: 0, discarded: 0, unreadable: 0 };
  for (const key of await findTokenKeys(redis, keyPrefix)) {
    if (discard) {
      rotation.discarded += await redis.del(key);
      continue;
    }
    const stored = await redis.hget(key, "token");
    if (stored === null || sealedKeyId(stored) === ring.activeId) continue;
    const opened = openToken(ring, stored, key);
    if (!opened.ok) {
      rotation.unreadable++;
      continue;
    }
    const resealed = sealToken(ring, opened.token, key);
    rotation.resealed += Number(await redis.eval(COMPARE_AND_SET_TOKEN, 1, key, stored, resealed));
  }
  return rotation;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
