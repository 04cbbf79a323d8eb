import { isSealed, type KeyRing, open, seal } from "../secrets";

/**
 * Where the HTTP API's keys live in Redis, per queue:
 *
 * - `<prefix>:<queue>:api-keys`        set of key ids
 * - `<prefix>:<queue>:api-key:<id>`    hash {name, scopes (space-separated), hash (of the key's
 *   secret part; the key itself is never stored), createdAt (ms), revokedAt? (ms), webhookUrl?,
 *   webhookSecret? (sealed with the key ring when one is configured: src/secrets)}
 *
 * A key is shown once, at creation, as `<id>.<secret>`: the id finds the record, the secret is
 * checked against the hash.
 */
export interface ApiKeyKeys {
  ids: string;
  key(id: string): string;
}

export function apiKeyKeys(keyPrefix: string, queueName: string): ApiKeyKeys {
  const base = `${keyPrefix}:${queueName}`;
  return { ids: `${base}:api-keys`, key: (id) => `${base}:api-key:${id}` };
}

/** What authenticated data binds a sealed webhook secret to: its key's record. */
export function webhookSecretAad(recordKey: string): string {
  return `webhook-secret:${recordKey}`;
}

/** A key's webhook secret as stored: sealed under the ring's active key when there is a ring. */
export function sealWebhookSecret(
  ring: KeyRing | undefined,
  secret: string,
  recordKey: string,
): string {
  return ring ? seal(ring, secret, webhookSecretAad(recordKey)) : secret;
}

export type OpenedWebhookSecret = { ok: true; secret: string } | { ok: false; reason: string };

/** A stored webhook secret in the clear; a plaintext one (stored without a ring) reads as it is. */
export function openWebhookSecret(
  ring: KeyRing | undefined,
  stored: string,
  recordKey: string,
): OpenedWebhookSecret {
  if (!isSealed(stored)) return { ok: true, secret: stored };
  if (!ring) return { ok: false, reason: "it is sealed and JOB_ENCRYPTION_KEYS is not set" };
  const opened = open(ring, stored, webhookSecretAad(recordKey));
  if (opened.ok) return { ok: true, secret: opened.text };
  return {
    ok: false,
    reason:
      opened.problem === "unknown-key"
        ? `it is sealed with key "${opened.keyId}", which JOB_ENCRYPTION_KEYS lacks`
        : "it does not open with its key (tampered, or copied from another record)",
  };
}
