import type { Queue } from "bullmq";
import { batchKeys } from "../batches/batch-keys";
import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";
import { DeliveryProducer, resolveDuplicateKeySecret } from "../producer";
import { connectRedis, whenRedisReady } from "../redis/connection";
import { openQueue } from "../redis/queue";

export interface ConnectedProducer {
  producer: DeliveryProducer;
  queue: Queue;
  /** Closes the queue and the Redis connection. */
  close(): Promise<void>;
}

export interface ConnectProducerOptions {
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
  options: ConnectProducerOptions = {},
): Promise<ConnectedProducer> {
  const redis = connectRedis(config.redis, logger, options.connectionName ?? "producer");
  try {
    if (options.readyTimeoutMs !== undefined) {
      await whenRedisReady(redis, options.readyTimeoutMs, config.redis.url);
    }
    const secret = await resolveDuplicateKeySecret(redis, config.redisKeyPrefix, {
      configured: config.producer.duplicateKeySecret,
      keyRing: config.encryption.ring,
    });
    const queue = openQueue(config.queue, redis, logger);
    const producer = new DeliveryProducer({
      queue,
      duplicateWindowMs: config.producer.duplicateWindowMs,
      duplicateKeySecret: secret,
      failedRetentionMs: config.delivery.failedRetentionMs,
      batches: { redis, keys: batchKeys(config.redisKeyPrefix, config.queue.name) },
      keyRing: config.encryption.ring,
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
