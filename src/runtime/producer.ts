import { Queue } from "bullmq";
import { batchKeys } from "../batches/batch-keys";
import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";
import { DeliveryProducer, resolveDuplicateKeySecret } from "../producer";
import { connectRedis, whenRedisReady } from "./redis";

export interface ProducerRuntime {
  producer: DeliveryProducer;
  queue: Queue;
  /** Closes the queue and the Redis connection. */
  close(): Promise<void>;
}

export interface ProducerRuntimeOptions {
  /** Name of the Redis connection (CLIENT LIST shows `axelnac-courier:<name>`). */
  connectionName?: string;
  /**
   * Give up when Redis is not reachable within this time. A one-shot command wants an answer;
   * a long-lived service leaves it unset and waits for Redis to come back.
   */
  readyTimeoutMs?: number;
}

/** A producer wired from configuration: one Redis connection, shared by the queue. */
export async function connectDeliveryProducer(
  config: Config,
  logger: Logger,
  options: ProducerRuntimeOptions = {},
): Promise<ProducerRuntime> {
  const redis = connectRedis(config.redisUrl, logger, options.connectionName ?? "producer");
  try {
    if (options.readyTimeoutMs !== undefined) {
      await whenRedisReady(redis, options.readyTimeoutMs, config.redisUrl);
    }
    const secret = await resolveDuplicateKeySecret(
      redis,
      config.redisKeyPrefix,
      config.producer.duplicateKeySecret,
    );
    const queue = new Queue(config.queue.name, { connection: redis, prefix: config.queue.prefix });
    // connectRedis already reports connection trouble; an unheard 'error' event would crash.
    queue.on("error", (error) => logger.debug({ err: error }, "queue connection error"));
    const producer = new DeliveryProducer({
      queue,
      duplicateWindowMs: config.producer.duplicateWindowMs,
      duplicateKeySecret: secret,
      failedRetentionMs: config.delivery.failedRetentionMs,
      batches: { redis, keys: batchKeys(config.redisKeyPrefix, config.queue.name) },
      logger: logger.child({ component: "producer" }),
    });
    return {
      producer,
      queue,
      close: async () => {
        await queue.close();
        redis.disconnect();
      },
    };
  } catch (error) {
    redis.disconnect();
    throw error;
  }
}
