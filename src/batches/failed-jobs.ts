import { createHash } from "node:crypto";
import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { batchOfJob, batchOfJobId } from "../jobs/job-id";
import { reasonParts } from "../outcome";
import { type AnswerDeadline, answerWithin } from "../redis/answer-within";
import { removeJobArgs, removeJobKeys, reprocessJobKeys } from "../redis/bullmq-scripts";
import { type BatchKeys, deliverySetSuffix } from "./batch-keys";
import {
  LIST_FAILED_JOBS,
  type PerJobScript,
  PURGE_FAILED_JOB,
  RETRY_FAILED_JOB,
} from "./failed-job-scripts";

/** Which failed jobs an operator means: one batch, one job, or all. */
export type FailedSelection = { batch: string } | { id: string } | { all: true };

export interface FailedJobView {
  id: string;
  batch: string | null;
  pid: string | null;
  reference: string | null;
  attempts: number;
  /** The whole reason, as the worker wrote it: `CODE: message`. */
  reason: string;
  failedAt: string | null;
  /** The line of the file the delivery came from (import, onboard); null for other producers'. */
  line: number | null;
  /** The outcome code that leads the reason; null for a reason of BullMQ's own. */
  code: string | null;
  /** The reason without its code, said once: what the appliance (or the courier) said. */
  message: string;
}

/** Failed jobs read per round trip by `listFailed`: bounds what Redis and the command hold at once. */
export const LISTED_PER_ROUND_TRIP = 50;

/**
 * The longest pid, reference or batch id `listFailed` reads, in bytes: more than any valid one
 * (255 characters of up to 4 bytes), so only an invalid job's is ever cut.
 */
export const LISTED_FIELD_BYTES = 1_024;

/** The longest failure reason `listFailed` reads, in bytes: ours are a few hundred at most. */
export const LISTED_REASON_BYTES = 4_096;

/**
 * One job's answer to LIST_FAILED_JOBS: pid, reference, batch_id, reason, finishedOn, attempts,
 * file_line (0 for none).
 */
type ListedFields = [
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  number,
  number,
];

/**
 * The failed jobs a selection means, newest first, a page at a time: only the fields `failed
 * list` shows leave Redis, never a job's whole data and so never its password, and memory stays
 * bounded however many jobs failed and however large their data. A job retried or purged while
 * the list is read is left out.
 */
export async function* listFailed(
  queue: Queue,
  redis: Redis,
  selection: FailedSelection,
  deadline?: AnswerDeadline,
): AsyncGenerator<FailedJobView[]> {
  const ids = await answerWithin(selectFailedIds(queue, redis, selection), deadline);
  for (let start = 0; start < ids.length; start += LISTED_PER_ROUND_TRIP) {
    const page = ids.slice(start, start + LISTED_PER_ROUND_TRIP);
    const views = await viewFailedJobs(queue, redis, page, deadline);
    yield "batch" in selection ? views.filter((view) => view.batch === selection.batch) : views;
  }
}

/**
 * What `failed list` shows of these jobs (at most LISTED_PER_ROUND_TRIP of them), in their
 * order, in one round trip: a job no longer failed is left out.
 */
export async function viewFailedJobs(
  queue: Queue,
  redis: Redis,
  ids: readonly string[],
  deadline?: AnswerDeadline,
): Promise<FailedJobView[]> {
  const keys = [queue.toKey("failed"), ...ids.map((id) => queue.toKey(id))];
  const answers = (await answerWithin(
    redis.eval(
      LIST_FAILED_JOBS,
      keys.length,
      ...keys,
      LISTED_FIELD_BYTES,
      LISTED_REASON_BYTES,
      ...ids,
    ),
    deadline,
  )) as (ListedFields | null)[];
  const views: FailedJobView[] = [];
  answers.forEach((fields, position) => {
    if (fields !== null) views.push(viewFailed(ids[position] as string, fields));
  });
  return views;
}

/** Every failed job of a selection, for a caller that shows them all at once (the demo). */
export async function readFailed(
  queue: Queue,
  redis: Redis,
  selection: FailedSelection,
  deadline?: AnswerDeadline,
): Promise<FailedJobView[]> {
  const all: FailedJobView[] = [];
  for await (const page of listFailed(queue, redis, selection, deadline)) all.push(...page);
  return all;
}

/** What `failed list` shows of a job: never its password. */
function viewFailed(id: string, fields: ListedFields): FailedJobView {
  const [pid, reference, batchId, reason, finishedOn, attempts, line] = fields;
  const failedAt = Number(finishedOn);
  const { code, message } = reasonParts(reason ?? "");
  return {
    id,
    batch: batchOfJob({ id, data: { batch_id: batchId } }) ?? null,
    pid,
    reference,
    // The worker writes down a failed attempt only when it schedules another one: the attempt
    // that failed the job for good comes on top of those.
    attempts: attempts + 1,
    reason: reason ?? "",
    failedAt: finishedOn && Number.isFinite(failedAt) ? new Date(failedAt).toISOString() : null,
    line: Number.isInteger(line) && line > 0 ? line : null,
    code: code ?? null,
    message,
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

/** A job's raw data as read, and what it is to become. */
export interface DataRewrite {
  from: string;
  to: string;
  /**
   * The duplicate-protection entry the job is to hold once its data is `to` (a new password
   * makes a new delivery identity, jobs/duplicate-key.ts): its id and how long it lasts.
   */
  protection?: { id: string; ttlMs: number };
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
 * counts it again). A job that is no longer failed is left alone. With `rewrites`, a job is given
 * its new data in the same step, if its data is still what the rewrite was made from.
 */
export function retryFailed(
  ids: string[],
  target: FailedJobsTarget,
  options: { rewrites?: ReadonlyMap<string, DataRewrite> } = {},
): Promise<FailedJobsChange> {
  const { queue, keys } = target;
  return runPerJob(target, RETRY_FAILED_JOB, ids, (id) => {
    const rewrite = options.rewrites?.get(id);
    const protection = rewrite?.protection;
    return [
      ...reprocessJobKeys(queue, id),
      keys.totals,
      // reprocessJob's arguments: the push command is the script's to choose, from the job's options.
      ...[id, "LPUSH", "failedReason", "failed", "0", "0"],
      keys.batch(""), // every batch's key starts so
      target.batch ?? "",
      deliverySetSuffix("failed"),
      rewrite?.from ?? "",
      rewrite?.to ?? "",
      // BullMQ's key of a deduplication id (its Lua: prefix .. "de:" .. id).
      protection ? queue.toKey(`de:${protection.id}`) : "",
      protection?.id ?? "",
      protection ? String(protection.ttlMs) : "",
    ];
  });
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
 * The stored data of each job, read JOBS_PER_ROUND_TRIP at a time; a job gone meanwhile is left
 * out (the retry script then finds it no longer failed). For rewriting jobs' data before a retry.
 */
export async function readJobsData(
  queue: Queue,
  redis: Redis,
  ids: readonly string[],
  deadline?: AnswerDeadline,
): Promise<Map<string, string>> {
  const data = new Map<string, string>();
  for (let start = 0; start < ids.length; start += JOBS_PER_ROUND_TRIP) {
    const page = ids.slice(start, start + JOBS_PER_ROUND_TRIP);
    const pipeline = redis.pipeline();
    for (const id of page) pipeline.hget(queue.toKey(id), "data");
    const answers = (await answerWithin(pipeline.exec(), deadline)) ?? [];
    page.forEach((id, position) => {
      const raw = answers[position]?.[1];
      if (typeof raw === "string") data.set(id, raw);
    });
  }
  return data;
}

/**
 * Runs the script once per job, by its hash. Not `SCRIPT LOAD` (the README's ACL leaves it out):
 * the first job of the first round trip runs the script by its text, which caches it for the
 * others; a job Redis answers NOSCRIPT for (its cache was emptied meanwhile, by a restart say) did
 * not run, and runs again by the text.
 */
export async function runPerJob(
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
