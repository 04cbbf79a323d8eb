import type Redis from "ioredis";
import type { BatchKeys } from "./batch-keys";

/**
 * Adds newly enqueued jobs to their batches' totals, one pipeline for a whole chunk. Duplicates
 * skipped by the duplicate window are not counted: they were not enqueued again.
 */
export async function registerEnqueued(
  redis: Redis,
  keys: BatchKeys,
  batchIds: (string | undefined)[],
): Promise<void> {
  const counts = new Map<string, number>();
  for (const id of batchIds) if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  if (counts.size === 0) return;
  const now = Date.now();
  const pipeline = redis.pipeline();
  for (const [id, count] of counts) {
    pipeline.hincrby(keys.batch(id), "total", count);
    pipeline.hsetnx(keys.batch(id), "createdAt", now);
    pipeline.zadd(keys.batches, "NX", now, id);
  }
  await pipeline.exec();
}
