import { Queue } from "bullmq";
import type Redis from "ioredis";
import { type BatchKeys, batchKeys } from "../batches/batch-keys";
import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";
import { connectRedis, ONE_SHOT_REDIS_TIMEOUT_MS, whenRedisReady } from "./redis";

/** What the operator's commands (status, failed) read and change: the queue and its batch counters. */
export interface OperatorRuntime {
  queue: Queue;
  redis: Redis;
  keys: BatchKeys;
  close(): Promise<void>;
}

export async function connectOperator(
  config: Config,
  logger: Logger,
  readyTimeoutMs = ONE_SHOT_REDIS_TIMEOUT_MS,
): Promise<OperatorRuntime> {
  const redis = connectRedis(config.redisUrl, logger, "operator");
  try {
    await whenRedisReady(redis, readyTimeoutMs, config.redisUrl);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const queue = new Queue(config.queue.name, { connection: redis, prefix: config.queue.prefix });
  queue.on("error", (error) => logger.debug({ err: error }, "queue connection error"));
  return {
    queue,
    redis,
    keys: batchKeys(config.redisKeyPrefix, config.queue.name),
    close: async () => {
      await queue.close();
      redis.disconnect();
    },
  };
}
