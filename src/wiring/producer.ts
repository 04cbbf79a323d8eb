import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { batchKeys } from "../batches/batch-keys";
import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";
import { DeliveryProducer, resolveDuplicateKeySecret } from "../producer";
import { type AnswerDeadline, answerWithin } from "../redis/answer-within";
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
   * Give up when Redis does not answer within this time: to connect, then to each chunk of jobs.
   * A one-shot command wants an answer; a long-lived service leaves it unset and waits for Redis
   * to come back.
   */
  answerTimeoutMs?: number;
}

/** A producer wired from configuration: one Redis connection, shared by the queue. */
export async function connectDeliveryProducer(
  config: Config,
  logger: Logger,
  options: ConnectProducerOptions = {},
): Promise<ConnectedProducer> {
  const redis = connectRedis(config.redis, logger, options.connectionName ?? "producer");
  try {
    const timeoutMs = options.answerTimeoutMs;
    const deadline = timeoutMs === undefined ? undefined : { timeoutMs, url: config.redis.url };
    if (timeoutMs !== undefined) await whenRedisReady(redis, timeoutMs, config.redis.url);
    const queue = openQueue(config.queue, redis, logger);
    const producer = await deliveryProducerOn(config, redis, queue, logger, deadline);
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

/**
 * A producer on a connection and queue the caller already has: the worker's, which enqueues the
 * SMS of the guests it onboards without a Redis connection of its own.
 */
export async function deliveryProducerOn(
  config: Config,
  redis: Redis,
  queue: Queue,
  logger: Logger,
  deadline?: AnswerDeadline,
): Promise<DeliveryProducer> {
  const secret = await answerWithin(
    resolveDuplicateKeySecret(redis, config.redisKeyPrefix, {
      configured: config.producer.duplicateKeySecret,
      keyRing: config.encryption.ring,
    }),
    deadline,
  );
  return new DeliveryProducer({
    queue,
    duplicateWindowMs: config.producer.duplicateWindowMs,
    duplicateKeySecret: secret,
    failedRetentionMs: config.delivery.failedRetentionMs,
    batches: { keys: batchKeys(config.redisKeyPrefix, config.queue.name) },
    keyRing: config.encryption.ring,
    logger: logger.child({ component: "producer" }),
    ...(deadline ? { answerDeadline: deadline } : {}),
  });
}
