import type Redis from "ioredis";
import { type ApiKeyKeys, openWebhookSecret } from "../api-keys/api-key-record";
import type { KeyRing } from "../secrets";

/** The fields of an API key's record (src/api-keys/api-key-record.ts) a webhook needs. */
export interface WebhookFields {
  webhookUrl: string | null;
  webhookSecret: string | null;
  revokedAt: string | null;
}

/** Where, and with what secret, an event is sent now; or why it is not sent at all. */
export type WebhookTarget =
  | { kind: "send"; url: URL; secret: string }
  /** Nothing to send to any more: the event is dropped, with this reason logged. */
  | { kind: "drop"; reason: string }
  /** The secret is sealed under a key this worker's ring lacks (or does not open): retried. */
  | { kind: "unreadable"; reason: string };

/** Whether a key's record asks for webhooks: read when an outcome is enqueued. */
export function wantsWebhooks(fields: Pick<WebhookFields, "webhookUrl" | "revokedAt">): boolean {
  return Boolean(fields.webhookUrl) && !fields.revokedAt;
}

/** Pure: what the record's fields, read at send time, mean for one event. */
export function webhookTargetOf(
  fields: WebhookFields,
  ring: KeyRing | undefined,
  recordKey: string,
): WebhookTarget {
  if (fields.revokedAt) return { kind: "drop", reason: "its API key was revoked" };
  if (!fields.webhookUrl) {
    return { kind: "drop", reason: "its API key has no webhook any more, or no longer exists" };
  }
  let url: URL;
  try {
    url = new URL(fields.webhookUrl);
  } catch {
    return { kind: "drop", reason: "its API key's webhookUrl is not a URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { kind: "drop", reason: "its API key's webhookUrl is not an http:// or https:// URL" };
  }
  if (!fields.webhookSecret) {
    return {
      kind: "drop",
      reason: "its API key has a webhookUrl but no webhookSecret to sign with",
    };
  }
  const opened = openWebhookSecret(ring, fields.webhookSecret, recordKey);
  if (!opened.ok)
    return { kind: "unreadable", reason: `its webhook secret is unreadable: ${opened.reason}` };
  return { kind: "send", url, secret: opened.secret };
}

/** Reads a key's record, at send time, so that a revoked key or a removed webhook stops at once. */
export async function readWebhookTarget(
  redis: Redis,
  keys: ApiKeyKeys,
  ring: KeyRing | undefined,
  keyId: string,
): Promise<WebhookTarget> {
  const recordKey = keys.key(keyId);
  const [webhookUrl, webhookSecret, revokedAt] = await redis.hmget(
    recordKey,
    "webhookUrl",
    "webhookSecret",
    "revokedAt",
  );
  return webhookTargetOf(
    {
      webhookUrl: webhookUrl ?? null,
      webhookSecret: webhookSecret ?? null,
      revokedAt: revokedAt ?? null,
    },
    ring,
    recordKey,
  );
}

/** Where a webhook is, for a log line: its origin only, since a path or query may hold a token. */
export function webhookOrigin(url: URL): string {
  return url.origin;
}
