import { createHash } from "node:crypto";
import type { Job, Queue } from "bullmq";
import type Redis from "ioredis";
import { batchOfJob, batchOfJobId } from "../jobs/job-id";
import { failedAttempts } from "../jobs/progress";
import { type AnswerDeadline, answerWithin } from "../redis/answer-within";
import { removeJobArgs, removeJobKeys, reprocessJobKeys } from "../redis/bullmq-scripts";
import type { BatchKeys } from "./batch-keys";
import { type PerJobScript, PURGE_FAILED_JOB, RETRY_FAILED_JOB } from "./failed-job-scripts";

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

/** What `retry` or `purge` did with the jobs it was given. */
export interface FailedJobsChange {
  /** Retried (or purged) by this call. */
  changed: number;
  /** No longer failed when their turn came: retried or purged by someone else, or expired. */
  gone: number;
}

/**
 * The ids of the failed jobs a selection means, read from the failed set alone: no job's data,
 * and so no password, is loaded. For a batch, the ids that start with it and those that carry no
 * batch in their id (a plain producer's job, whose data may name the batch): the scripts check.
 */
export async function selectFailedIds(
  queue: Queue,
  redis: Redis,
  selection: FailedSelection,
): Promise<string[]> {
  if ("id" in selection) {
    const failed = await redis.zscore(queue.toKey("failed"), selection.id);
    return failed === null ? [] : [selection.id];
  }
  const ids = await queue.getRanges(["failed"], 0, -1);
  if (!("batch" in selection)) return ids;
  return ids.filter((id) => {
    const batch = batchOfJobId(id);
    return batch === undefined || batch === selection.batch;
  });
}

/** Where the counters of a retried or purged job are, and which batch the caller asked for. */
export interface FailedJobsTarget {
  queue: Queue;
  redis: Redis;
  keys: BatchKeys;
  /** Act only on jobs of this batch. */
  batch?: string;
  /** How long each round trip may wait for Redis' answer. */
  deadline?: AnswerDeadline;
}

/**
 * Sends failed jobs round again, each with a fresh set of attempts, and takes each out of its
 * batch's failed count in the same atomic step (pending again; if it fails once more, the worker
 * counts it again). A job that is no longer failed is left alone.
 */
export function retryFailed(ids: string[], target: FailedJobsTarget): Promise<FailedJobsChange> {
  const { queue, keys } = target;
  return runPerJob(target, RETRY_FAILED_JOB, ids, (id) => [
    ...reprocessJobKeys(queue, id),
    keys.totals,
    // reprocessJob's arguments: the push command is the script's to choose, from the job's options.
    ...[id, "LPUSH", "failedReason", "failed", "0", "0"],
    keys.batch(""), // every batch's key starts so
    target.batch ?? "",
  ]);
}

/**
 * Deletes failed jobs (and the guest passwords they hold); they stay counted as failed. A job
 * that is no longer failed (retried meanwhile: pending again) is left alone.
 */
export function purgeFailed(ids: string[], target: FailedJobsTarget): Promise<FailedJobsChange> {
  const { queue } = target;
  return runPerJob(target, PURGE_FAILED_JOB, ids, (id) => [
    ...removeJobKeys(queue, id),
    queue.toKey("failed"),
    ...[id, ...removeJobArgs(queue)],
    target.batch ?? "",
  ]);
}

/** Jobs per pipeline: one round trip for many jobs, each still its own atomic script. */
const JOBS_PER_ROUND_TRIP = 200;

/**
 * Runs the script once per job, by its hash. Not `SCRIPT LOAD` (the README's ACL leaves it out):
 * the first job of the first round trip runs the script by its text, which caches it for the
 * others; a job Redis answers NOSCRIPT for (its cache was emptied meanwhile, by a restart say) did
 * not run, and runs again by the text.
 */
async function runPerJob(
  target: FailedJobsTarget,
  script: PerJobScript,
  ids: string[],
  keysAndArgs: (id: string) => string[],
): Promise<FailedJobsChange> {
  const { redis, deadline } = target;
  const sha = createHash("sha1").update(script.source).digest("hex");
  const change: FailedJobsChange = { changed: 0, gone: 0 };
  const run = async (slice: string[], byText: (position: number) => boolean) => {
    const pipeline = redis.pipeline();
    slice.forEach((id, position) => {
      if (byText(position)) pipeline.eval(script.source, script.keys, ...keysAndArgs(id));
      else pipeline.evalsha(sha, script.keys, ...keysAndArgs(id));
    });
    const notRun: string[] = [];
    const answers = (await answerWithin(pipeline.exec(), deadline)) ?? [];
    answers.forEach(([error, answer], position) => {
      if (error?.message.startsWith("NOSCRIPT")) notRun.push(slice[position] as string);
      else if (error) throw error;
      else if (answer === 1) change.changed++;
      else if (answer === 0) change.gone++;
    });
    return notRun;
  };
  for (let start = 0; start < ids.length; start += JOBS_PER_ROUND_TRIP) {
    const slice = ids.slice(start, start + JOBS_PER_ROUND_TRIP);
    const notRun = await run(slice, (position) => start === 0 && position === 0);
    if (notRun.length > 0) await run(notRun, () => true);
  }
  return change;
}
