import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { passwordKeeping } from "./job-data-sealing";
import { forEachStoredJob, STORED_STATES, type StoredState } from "./stored-jobs";

/** Jobs per state under one key id, or in plaintext. */
export type StateCounts = Record<StoredState, number> & { total: number };

/** How many stored jobs are kept under each key id (`plaintext` for none). */
export type JobCensus = Record<string, StateCounts>;

export const PLAINTEXT = "plaintext";

/** Counts the stored jobs by the key their password is sealed under. */
export async function takeJobCensus(queue: Queue, redis: Redis): Promise<JobCensus> {
  const census: JobCensus = {};
  for (const state of STORED_STATES) {
    await forEachStoredJob(queue, redis, state, async (jobs) => {
      for (const job of jobs) {
        const keeping = passwordKeeping(job.rawData);
        if (keeping === "no-password") continue;
        const under = keeping === "plaintext" ? PLAINTEXT : keeping.sealedUnder;
        census[under] ??= emptyCounts();
        census[under][state]++;
        census[under].total++;
      }
    });
  }
  return census;
}

export function emptyCounts(): StateCounts {
  return { waiting: 0, prioritized: 0, delayed: 0, failed: 0, active: 0, total: 0 };
}
