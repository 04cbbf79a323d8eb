import type { Queue } from "bullmq";
import type Redis from "ioredis";
import type { Config } from "../config/config";
import { fleetPauseKey, readFleetPause } from "../worker/fleet-pause-record";
import { cachedReading } from "./cached-reading";
import { QUEUE_STATES, type QueueReading } from "./queue-gauges";

/** A scrape storm costs Redis one reading of the queue per this much time. */
const QUEUE_READING_MAX_AGE_MS = 5_000;

/**
 * The queue's counts and the fleet pause, as the gauges read them at scrape time, from the
 * queue and connection `open()` gives (undefined until the process has them). Read at most once
 * per 5 s; undefined when Redis is away, so the gauges show no sample rather than stale values.
 */
export function queueReading(
  config: Config,
  open: () => { queue: Queue; redis: Redis } | undefined,
): () => Promise<QueueReading | undefined> {
  const pauseKey = fleetPauseKey(config.redisKeyPrefix, config.queue.name);
  const read = async (): Promise<QueueReading> => {
    const opened = open();
    if (!opened) throw new Error("not started");
    // Not connected, its commands would wait for the reconnection: go without, as on a timeout.
    if (opened.redis.status !== "ready") throw new Error("Redis is not connected");
    const [counts, pause] = await Promise.all([
      opened.queue.getJobCounts(...QUEUE_STATES),
      readFleetPause(opened.redis, pauseKey),
    ]);
    return { counts, pause: pause?.cause ?? null };
  };
  return cachedReading(read, { maxAgeMs: QUEUE_READING_MAX_AGE_MS, timeoutMs: 1_000 });
}
