import type Redis from "ioredis";
import { type ApiKeyKeys, openWebhookSecret, sealWebhookSecret } from "../api-keys/api-key-record";
import { isSealed, type KeyRing, sealedKeyId } from "../secrets";

// KEYS[1] an API key's record. ARGV: the stored secret as read, its replacement. A secret changed
// meanwhile (the key's webhook set anew) is left alone.
const COMPARE_AND_SET_SECRET = `
if redis.call('HGET', KEYS[1], 'webhookSecret') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'webhookSecret', ARGV[2])
return 1`;

export interface WebhookSecretRotation {
  resealed: number;
  /** Secrets under a key id the ring lacks, by that id: left as they are. */
  keyMissing: Record<string, number>;
  /** Secrets that do not open with their key (tampered, or copied from another record). */
  unauthentic: number;
}

/** Each API key's stored webhook secret, with the key of its record; those without one are skipped. */
async function storedSecrets(
  redis: Redis,
  keys: ApiKeyKeys,
): Promise<{ recordKey: string; stored: string }[]> {
  const ids = await redis.smembers(keys.ids);
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hget(keys.key(id), "webhookSecret");
  const replies = (await pipeline.exec()) ?? [];
  return ids.flatMap((id, i) => {
    const [error, stored] = replies[i] ?? [];
    if (error) throw error;
    return typeof stored === "string" ? [{ recordKey: keys.key(id), stored }] : [];
  });
}

/** Under which key each API key's webhook secret is sealed (`plaintext` for none): key id → count. */
export async function webhookSecretCensus(
  redis: Redis,
  keys: ApiKeyKeys,
): Promise<Record<string, number>> {
  const census: Record<string, number> = {};
  for (const { stored } of await storedSecrets(redis, keys)) {
    const under = isSealed(stored) ? (sealedKeyId(stored) ?? "(malformed)") : "plaintext";
    census[under] = (census[under] ?? 0) + 1;
  }
  return census;
}

/** Seals every API key's webhook secret under the ring's active key (plaintext ones too). */
export async function rotateWebhookSecrets(
  redis: Redis,
  keys: ApiKeyKeys,
  ring: KeyRing,
): Promise<WebhookSecretRotation> {
  const rotation: WebhookSecretRotation = { resealed: 0, keyMissing: {}, unauthentic: 0 };
  for (const { recordKey, stored } of await storedSecrets(redis, keys)) {
    if (sealedKeyId(stored) === ring.activeId) continue;
    const opened = openWebhookSecret(ring, stored, recordKey);
    if (!opened.ok) {
      const keyId = sealedKeyId(stored);
      if (keyId !== undefined && !ring.has(keyId)) {
        rotation.keyMissing[keyId] = (rotation.keyMissing[keyId] ?? 0) + 1;
      } else {
        rotation.unauthentic++;
      }
      continue;
    }
    const resealed = sealWebhookSecret(ring, opened.secret, recordKey);
    rotation.resealed += Number(
      await redis.eval(COMPARE_AND_SET_SECRET, 1, recordKey, stored, resealed),
    );
  }
  return rotation;
}
