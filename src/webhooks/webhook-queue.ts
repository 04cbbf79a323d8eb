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
