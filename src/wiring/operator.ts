import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { type BatchKeys, batchKeys } from "../batches/batch-keys";
import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";
import type { AnswerDeadline } from "../redis/answer-within";
import { connectRedis, ONE_SHOT_REDIS_TIMEOUT_MS, whenRedisReady } from "../redis/connection";
import { openQueue } from "../redis/queue";

/** What the operator's commands (status, failed) read and change: the queue and its batch counters. */
export interface OperatorConnections {
  queue: Queue;
  redis: Redis;
  keys: BatchKeys;
  /** How long each of the command's Redis operations may wait for an answer. */
  deadline: AnswerDeadline;
  close(): Promise<void>;
}

export interface OperatorOptions {
  readyTimeoutMs?: number;
  /** The command only reads: the queue is opened without writing BullMQ's meta hash. */
  readOnly?: boolean;
}

export async function connectOperator(
  config: Config,
  logger: Logger,
  { readyTimeoutMs = ONE_SHOT_REDIS_TIMEOUT_MS, readOnly = false }: OperatorOptions = {},
): Promise<OperatorConnections> {
  const redis = connectRedis(config.redis, logger, "operator");
  try {
    await whenRedisReady(redis, readyTimeoutMs, config.redis.url);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const queue = openQueue(config.queue, redis, logger, { readOnly });
  return {
    queue,
    redis,
    keys: batchKeys(config.redisKeyPrefix, config.queue.name),
    deadline: { timeoutMs: readyTimeoutMs, url: config.redis.url },
    close: async () => {
      await queue.close();
      redis.disconnect();
    },
  };
}
