import type { Queue } from "bullmq";
import type Redis from "ioredis";

/** The states in which a job rests in Redis with its password; `active` jobs are being delivered. */
export const RESTING_STATES = ["waiting", "prioritized", "delayed", "failed"] as const;
export const STORED_STATES = [...RESTING_STATES, "active"] as const;
export type StoredState = (typeof STORED_STATES)[number];

export interface StoredJob {
  id: string;
  /** The job hash's key. */
  key: string;
  /** The `data` field as BullMQ stored it (JSON text). */
  rawData: string;
}

const CHUNK = 500;

/**
 * Calls `visit` with the jobs of `state`, a chunk at a time: ids as they stand now, data read in
 * one pipeline per chunk. A job that finished in between (its hash gone) is left out.
 */
export async function forEachStoredJob(
  queue: Queue,
  redis: Redis,
  state: StoredState,
  visit: (jobs: StoredJob[]) => Promise<void>,
): Promise<void> {
  const ids = await queue.getRanges([state], 0, -1);
  for (let start = 0; start < ids.length; start += CHUNK) {
    const chunkIds = ids.slice(start, start + CHUNK);
    const pipeline = redis.pipeline();
    for (const id of chunkIds) pipeline.hget(queue.toKey(id), "data");
    const results = (await pipeline.exec()) ?? [];
    const jobs: StoredJob[] = [];
    chunkIds.forEach((id, i) => {
      const [error, rawData] = results[i] ?? [];
      if (error) throw error;
      if (typeof rawData === "string") jobs.push({ id, key: queue.toKey(id), rawData });
    });
    await visit(jobs);
  }
}
