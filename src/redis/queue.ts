import { Queue } from "bullmq";
import type Redis from "ioredis";
import type { QueueSettings } from "../config/config";
import type { Logger } from "../logging/logger";

/**
 * The credentials queue, on a Redis connection the caller owns (and closes after the queue).
 * Connection trouble is reported once by `connectRedis`; the queue's own 'error' event must still
 * be heard, or an unheard one would crash the process.
 * `readOnly`: for the commands that only look (status, failed list). BullMQ's Queue otherwise
 * writes its `meta` hash as it opens, creating a key in a Redis that had none of this queue.
 */
export function openQueue(
  settings: QueueSettings,
  connection: Redis,
  logger: Logger,
  options: { readOnly?: boolean } = {},
): Queue {
  const queue = new Queue(settings.name, {
    connection,
    prefix: settings.prefix,
    skipMetasUpdate: options.readOnly ?? false,
  });
  queue.on("error", (error) => logger.debug({ err: error }, "queue connection error"));
  return queue;
}
