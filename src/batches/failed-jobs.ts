import type { Job, Queue } from "bullmq";
import type Redis from "ioredis";
import { batchOfJob } from "../jobs/job-id";
import { failedAttempts } from "../jobs/progress";
import type { BatchKeys } from "./batch-keys";

/** Which failed jobs an operator means: one batch, one job, or all. */
export type FailedSelection = { batch: string } | { id: string } | { all: true };

export interface FailedJobView {
  id: string;
  batch: string | null;
  pid: string | null;
  reference: string | null;
  attempts: number;
  reason: string;
  failedAt: string | null;
}

export async function selectFailed(queue: Queue, selection: FailedSelection): Promise<Job[]> {
  if ("id" in selection) {
    const job = await queue.getJob(selection.id);
    return job && (await job.isFailed()) ? [job] : [];
  }
  const failed = (await queue.getFailed(0, -1)) as Job[];
  return "batch" in selection
    ? failed.filter((job) => batchOfJob(job) === selection.batch)
    : failed;
}

/** What `failed list` shows of a job: never its password. */
export function viewFailed(job: Job): FailedJobView {
  const data = (typeof job.data === "object" && job.data !== null ? job.data : {}) as Record<
    string,
    unknown
  >;
  return {
    id: String(job.id),
    batch: batchOfJob(job) ?? null,
    pid: typeof data.pid === "string" ? data.pid : null,
    reference: typeof data.reference === "string" ? data.reference : null,
    // The worker writes down a failed attempt only when it schedules another one: the attempt
    // that failed the job for good comes on top of those.
    attempts: failedAttempts(job) + 1,
    reason: job.failedReason ?? "",
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
  };
}

/**
 * Sends failed jobs round again, with a fresh set of attempts, and takes them out of their batch's
 * failed count (they are pending again; if they fail once more, the worker counts them again).
 */
export async function retryFailed(jobs: Job[], redis: Redis, keys: BatchKeys): Promise<number> {
  const perBatch = new Map<string, number>();
  let retried = 0;
  for (const job of jobs) {
    await job.updateProgress(0);
    await job.retry("failed");
    retried++;
    const batch = batchOfJob(job);
    if (batch) perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
  }
  if (retried > 0) {
    const pipeline = redis.pipeline().hincrby(keys.totals, "failed", -retried);
    for (const [batch, count] of perBatch) pipeline.hincrby(keys.batch(batch), "failed", -count);
    await pipeline.exec();
  }
  return retried;
}

/** Deletes failed jobs (and the guest passwords they hold). They stay counted as failed. */
export async function purgeFailed(jobs: Job[]): Promise<number> {
  let purged = 0;
  for (const job of jobs) {
    await job.remove();
    purged++;
  }
  return purged;
}
