import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { ApiKeyStore } from "../api-keys/api-key-store";
import { type BatchKeys, batchKeys } from "../batches/batch-keys";
import type { Config } from "../config/config";
import type { DeliveryRecord } from "../history/delivery-record";
import { historyKeys } from "../history/history-keys";
import { readDeliveryRecord } from "../history/history-reader";
import type { Logger } from "../logging/logger";
import type { DeliveryProducer } from "../producer";
import { deliveryProducerOn } from "../wiring/producer";

/** Whether the server is shutting down: `/readyz` answers 503 from the moment it is. */
export interface ServeLifecycle {
  stopping: boolean;
}

/**
 * What the HTTP API's routes are given: the wiring the worker and the CLI use, on one Redis
 * connection `serve` owns. A route plugin takes what it needs from here and builds nothing.
 */
export interface ServeDeps {
  config: Config;
  logger: Logger;
  redis: Redis;
  queue: Queue;
  batchKeys: BatchKeys;
  producer: DeliveryProducer;
  apiKeys: ApiKeyStore;
  /** What became of a delivery once its job is gone (src/history); undefined when nothing is known. */
  readDeliveryRecord(jobId: string): Promise<DeliveryRecord | undefined>;
  lifecycle: ServeLifecycle;
}

/** The routes' dependencies on a connection and queue the caller opened (and closes). */
export async function serveDepsOn(
  config: Config,
  logger: Logger,
  redis: Redis,
  queue: Queue,
): Promise<ServeDeps> {
  const producer = await deliveryProducerOn(config, redis, queue, logger);
  const history = historyKeys(config.redisKeyPrefix, config.queue.name);
  return {
    config,
    logger,
    redis,
    queue,
    batchKeys: batchKeys(config.redisKeyPrefix, config.queue.name),
    producer,
    apiKeys: new ApiKeyStore(
      redis,
      config.redisKeyPrefix,
      config.queue.name,
      config.encryption.ring,
    ),
    readDeliveryRecord: (jobId) => readDeliveryRecord(redis, history, jobId),
    lifecycle: { stopping: false },
  };
}
