import { type JobsOptions, Queue } from "bullmq";
import type Redis from "ioredis";
import type { QueueSettings, WebhookSettings } from "../config/config";
import type { Logger } from "../logging/logger";

/** The webhooks' own queue, beside the credentials queue: `<QUEUE_NAME>-webhooks`, same prefix. */
export function webhookQueueName(queueName: string): string {
  return `${queueName}-webhooks`;
}

/** The name of the backoff strategy the webhook worker registers (webhook-worker.ts). */
export const WEBHOOK_BACKOFF_TYPE = "webhook";

/** Each webhook job's options: retried by BullMQ itself, WEBHOOK_ATTEMPTS in all. */
export function webhookJobOptions(settings: WebhookSettings): JobsOptions {
  return { attempts: settings.attempts, backoff: { type: WEBHOOK_BACKOFF_TYPE } };
}

/**
 * Delay before POST attempt n+1, after n failed ones: the deliveries' formula
 * (src/worker/retry-policy.ts) with the webhook settings:
 *   d = min(WEBHOOK_BACKOFF_MAX, WEBHOOK_BACKOFF × 2^(n−1));  delay = d/2 + random × d/2
 */
export function webhookRetryDelayMs(
  settings: Pick<WebhookSettings, "backoffMs" | "backoffMaxMs">,
  failedAttempts: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    settings.backoffMaxMs,
    settings.backoffMs * 2 ** Math.max(0, failedAttempts - 1),
  );
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The webhooks queue on a connection the caller owns and closes after it. */
export function openWebhookQueue(
  settings: QueueSettings,
  connection: Redis,
  logger: Logger,
): Queue {
  const queue = new Queue(webhookQueueName(settings.name), {
    connection,
    prefix: settings.prefix,
  });
  queue.on("error", (error) => logger.debug({ err: error }, "webhooks queue connection error"));
  return queue;
}
