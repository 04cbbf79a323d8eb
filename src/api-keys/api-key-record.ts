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
