import { Worker } from "bullmq";
import type Redis from "ioredis";
import { Agent } from "undici";
import { apiKeyKeys } from "../api-keys/api-key-record";
import type { Config } from "../config/config";
import type { DeliveryRecord } from "../history/delivery-record";
import type { Logger } from "../logging/logger";
import { backoffDelayMs } from "../outcome/retry-backoff";
import { OutcomeNotifier } from "./outcome-notifier";
import type { WebhookJob } from "./webhook-event";
import { createWebhookProcessor, type WebhookResult } from "./webhook-processor";
import { openWebhookQueue, webhookJobOptions } from "./webhook-queue";
import { postWebhook, WEBHOOK_TIMEOUT_MS } from "./webhook-sender";
import { readWebhookTarget, wantsWebhooks } from "./webhook-target";

/** POSTs in flight at once per worker process: receivers are other teams' servers. */
const WEBHOOK_CONCURRENCY = 4;

/** The outcome webhooks of a worker process, as the delivery worker (src/worker/start.ts) uses them. */
export interface OutcomeWebhooks {
  /** Stops taking webhook jobs as soon as the delivery `worker` begins to close. */
  follow(worker: Worker): void;
  /** A delivery finished for good: its event is queued if its API key has a webhook. */
  notify(record: DeliveryRecord): void;
  /**
   * Queues the events gathered, then stops the webhook worker (begun already if the delivery
   * worker it follows is closing): POSTs in flight finish, each within WEBHOOK_TIMEOUT_MS, or,
   * `abandon`, are cut and retried later.
   */
  close(abandon: boolean): Promise<void>;
}

/**
 * The webhooks queue (`<QUEUE_NAME>-webhooks`), a BullMQ Worker of its own that POSTs its events,
 * and the notifier that queues the events of finished deliveries. Shares the process's Redis
 * connection (the caller closes it after `close`).
 */
export function startOutcomeWebhooks(
  config: Config,
  redis: Redis,
  logger: Logger,
): OutcomeWebhooks {
  const keys = apiKeyKeys(config.redisKeyPrefix, config.queue.name);
  const ring = config.encryption.ring;
  const queue = openWebhookQueue(config.queue, redis, logger);
  const jobOptions = webhookJobOptions(config.webhooks);
  const dispatcher = new Agent({
    connect: { timeout: WEBHOOK_TIMEOUT_MS },
    headersTimeout: WEBHOOK_TIMEOUT_MS,
    bodyTimeout: WEBHOOK_TIMEOUT_MS,
  });
  const abandoning = new AbortController();

  const notifier = new OutcomeNotifier({
    wantsWebhooks: async (keyIds) => {
      const pipeline = redis.pipeline();
      for (const id of keyIds) pipeline.hmget(keys.key(id), "webhookUrl", "revokedAt");
      const replies = (await pipeline.exec()) ?? [];
      return new Map(
        keyIds.map((id, i) => {
          const [error, fields] = replies[i] ?? [new Error("no reply")];
          if (error) throw error;
          const [webhookUrl, revokedAt] = fields as (string | null)[];
          return [
            id,
            wantsWebhooks({ webhookUrl: webhookUrl ?? null, revokedAt: revokedAt ?? null }),
          ];
        }),
      );
    },
    enqueue: async (jobs) => {
      await queue.addBulk(
        jobs.map((data) => ({
          name: data.event.type,
          data,
          opts: { ...jobOptions, jobId: data.event.id },
        })),
      );
    },
    logger,
  });

  const send = createWebhookProcessor({
    readTarget: (keyId) => readWebhookTarget(redis, keys, ring, keyId),
    post: (post) => postWebhook(dispatcher, { ...post, abandoned: abandoning.signal }),
    logger,
  });
  const worker = new Worker<WebhookJob, WebhookResult>(queue.name, send, {
    connection: redis,
    prefix: config.queue.prefix,
    concurrency: WEBHOOK_CONCURRENCY,
    removeOnComplete: { count: 0 },
    removeOnFail: { age: Math.ceil(config.delivery.failedRetentionMs / 1_000) },
    settings: {
      backoffStrategy: (attemptsMade: number) => backoffDelayMs(config.webhooks, attemptsMade),
    },
  });
  worker.on("error", (error: NodeJS.ErrnoException) => {
    // Connection trouble is reported once by connectRedis; anything else is worth seeing.
    if (error.code || /Connection is closed|Stream isn't writeable/.test(error.message)) {
      logger.debug({ err: error }, "webhook worker connection error");
    } else {
      logger.warn({ err: error }, `webhook worker error: ${error.message}`);
    }
  });

  // Begun when the delivery worker begins to stop, so that POSTs in flight end alongside its
  // deliveries (each within WEBHOOK_TIMEOUT_MS) rather than after them.
  let stopping: Promise<void> | undefined;
  const stopFetching = () => {
    stopping ??= worker
      .close()
      .catch((error) => logger.debug({ err: error }, "webhook worker close"));
    return stopping;
  };

  return {
    follow(deliveries) {
      deliveries.once("closing", () => void stopFetching());
    },
    notify(record) {
      notifier.finished(record);
    },
    async close(abandon) {
      await notifier.close();
      if (abandon) abandoning.abort();
      await stopFetching();
      await queue.close();
      await (abandon ? dispatcher.destroy() : dispatcher.close());
    },
  };
}
