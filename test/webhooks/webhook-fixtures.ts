import type Redis from "ioredis";
import { apiKeyKeys, sealWebhookSecret } from "../../src/api-keys/api-key-record";
import type { KeyRing } from "../../src/secrets";
import type { WebhookEvent } from "../../src/webhooks/webhook-event";
import { type StandIn, startWebServer } from "../support/stand-ins";

export interface ApiKeyFixture {
  id: string;
  webhookUrl?: string;
  webhookSecret?: string;
  /** Seals the webhook secret, as the API's key store does when a ring is configured. */
  ring?: KeyRing;
}

/**
 * Writes an HTTP API key's record as src/api-keys/api-key-record.ts lays it out (the key store
 * of `serve` is not ours to call): the ids set and the record's hash. Returns the record's key.
 */
export async function writeApiKeyRecord(
  redis: Redis,
  keyPrefix: string,
  queueName: string,
  key: ApiKeyFixture,
): Promise<string> {
  const keys = apiKeyKeys(keyPrefix, queueName);
  const recordKey = keys.key(key.id);
  const fields: Record<string, string> = {
    name: `test key ${key.id}`,
    scopes: "deliveries:write",
    hash: "not-a-real-hash",
    createdAt: String(Date.now()),
  };
  if (key.webhookUrl) fields.webhookUrl = key.webhookUrl;
  if (key.webhookSecret) {
    fields.webhookSecret = sealWebhookSecret(key.ring, key.webhookSecret, recordKey);
  }
  await redis.multi().sadd(keys.ids, key.id).hset(recordKey, fields).exec();
  return recordKey;
}

/** One POST the receiver got, and what it answered. */
export interface ReceivedWebhook {
  answered: number;
  signature: string | undefined;
  eventIdHeader: string | undefined;
  path: string;
  rawBody: string;
  event: WebhookEvent;
}

export interface WebhookReceiver extends StandIn {
  received: ReceivedWebhook[];
  /** What it answers from now on: a status, or a status per request number (0-based). */
  answerWith(status: number | ((n: number) => number)): void;
  /** Events answered 2xx, by id: how many times each. */
  acceptedCounts(): Map<string, number>;
}

/** A webhook receiver on 127.0.0.1: keeps every request, and answers what the test says. */
export async function startWebhookReceiver(
  status: number | ((n: number) => number) = 200,
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let statusOf = typeof status === "number" ? () => status : status;
  const server = await startWebServer((_method, path, request) => {
    const answered = statusOf(received.length);
    const rawBody = request.body.toString("utf8");
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(",") : value;
    };
    received.push({
      answered,
      signature: header("courier-signature"),
      eventIdHeader: header("courier-event-id"),
      path,
      rawBody,
      event: JSON.parse(rawBody) as WebhookEvent,
    });
    return { status: answered, type: "text/plain", body: answered < 300 ? "ok" : "not now" };
  });
  return Object.assign(server, {
    received,
    answerWith(next: number | ((n: number) => number)) {
      statusOf = typeof next === "number" ? () => next : next;
    },
    acceptedCounts() {
      const counts = new Map<string, number>();
      for (const r of received) {
        if (r.answered >= 200 && r.answered < 300) {
          counts.set(r.event.id, (counts.get(r.event.id) ?? 0) + 1);
        }
      }
      return counts;
    },
  });
}
