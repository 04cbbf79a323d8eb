import { randomUUID } from "node:crypto";
import type { DeliveryRecord } from "../history/delivery-record";

/** What an outcome webhook says happened; a cancelled delivery sends none. */
export type WebhookEventType = "delivery.delivered" | "delivery.failed";

/**
 * The body POSTed to an API key's webhook (README, "Outcome webhooks"). `id` is made once, when
 * the delivery finishes, and kept across every retry of the POST: a receiver that has seen it
 * already answers 2xx and ignores it. `data` is the delivery's record, which never holds a password.
 */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  /** When the event was made (ISO 8601), not when this POST was tried. */
  createdAt: string;
  data: DeliveryRecord;
}

/** A job of the webhooks queue: whose webhook the event goes to, and the event. */
export interface WebhookJob {
  keyId: string;
  event: WebhookEvent;
}

/** The event of a delivery that finished for good; undefined for a cancelled one. */
export function outcomeEvent(record: DeliveryRecord, now = new Date()): WebhookEvent | undefined {
  if (record.outcome === "cancelled") return undefined;
  return {
    // Also the webhook job's id (BullMQ ids cannot hold ":"): adding the same event twice adds one job.
    id: `evt_${randomUUID().replaceAll("-", "")}`,
    type: record.outcome === "delivered" ? "delivery.delivered" : "delivery.failed",
    createdAt: now.toISOString(),
    data: record,
  };
}
