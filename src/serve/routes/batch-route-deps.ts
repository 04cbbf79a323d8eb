import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { type BatchKeys, batchKeys } from "../../batches/batch-keys";
import type { Config } from "../../config/config";
import type { ChunkProducer } from "../../import/importer";
import type { Logger } from "../../logging/logger";
import type { AnswerDeadline } from "../../redis/answer-within";
import { deliveryProducerOn } from "../../wiring/producer";

/** What the batch routes use: the queue and its batch bookkeeping, and a producer to enqueue. */
export interface BatchRouteDeps {
  /** AXELNAC_SOURCE_ID, the SMS source of rows without one, as `import` takes it. */
  config: Pick<Config, "producer">;
  logger: Logger;
  redis: Redis;
  queue: Queue;
  keys: BatchKeys;
  /** A DeliveryProducer on the same queue. */
  producer: ChunkProducer;
  /** How long each Redis operation of a status, list or retry may wait; unset, as long as it takes. */
  deadline?: AnswerDeadline;
  /** The largest CSV body accepted, in bytes (default UPLOAD_LIMIT_BYTES). */
  uploadLimitBytes?: number;
}

/** The routes' dependencies on a connection and queue the server already has (as the worker's producer). */
export async function batchRouteDepsOn(
  config: Config,
  redis: Redis,
  queue: Queue,
  logger: Logger,
): Promise<BatchRouteDeps> {
  return {
    config,
    logger,
    redis,
    queue,
    keys: batchKeys(config.redisKeyPrefix, config.queue.name),
    producer: await deliveryProducerOn(config, redis, queue, logger),
  };
}
