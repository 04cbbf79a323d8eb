import type Redis from "ioredis";
import { type BatchKeys, deliverySetSuffix } from "../batches/batch-keys";
import { batchOfJob, batchOfJobId } from "../jobs/job-id";
import type { Logger } from "../logging/logger";
import { PeriodicWrites } from "../redis/periodic-writes";

const BATCH_OUTCOMES = ["delivered", "failed", "cancelled"] as const;

export type BatchOutcome = (typeof BATCH_OUTCOMES)[number];

function zeroTotals(): Record<BatchOutcome, number> {
  return { delivered: 0, failed: 0, cancelled: 0 };
}

/** What the counters note of a job: its outcome, or, for a plain producer's job, that it was taken. */
type Noted = BatchOutcome | "taken";

/** A job as the counters see it: its id and its data, never read beyond batch_id and pid. */
export interface CountedJob {
  id?: string | undefined;
  data?: unknown;
}

/**
 * The guest a delivery is for, which a batch counts once however many of its jobs are for them
 * (batch-keys.ts): the job's pid, or, for a job without one (invalid data), the job itself. A
 * space never occurs in a pid, so the two cannot meet. RETRY_FAILED_JOB reads it the same way.
 */
export function guestOfJob(job: CountedJob): string {
  const pid = (job.data as { pid?: unknown } | undefined)?.pid;
  return typeof pid === "string" && pid !== "" ? pid : `job ${job.id ?? ""}`;
}

/**
 * A job a plain producer tagged with a batch (data.batch_id) without the courier's producers:
 * its id does not start with the batch, and nothing counted it when it was added.
 */
export function isPlainBatchJob(job: CountedJob): boolean {
  const batch = batchOfJob(job);
  return batch !== undefined && (job.id === undefined || batchOfJobId(job.id) !== batch);
}

/**
 * Applies what the workers noted, in order, to the batches' sets of guests. ARGV: now (ms), the
 * batches sorted set, the prefix of batch keys, the suffixes of the guests, delivered, failed and
 * cancelled sets, then triples of batch, guest and what was noted. An outcome is the guest's
 * latest: it replaces the others. A plain producer's job taken by a worker registers its guest (and the
 * batch, marked `plain`: its total is only what the workers have seen), pending again until its
 * outcome.
 */
const APPLY_NOTES = `
local now, batches, batchPrefix = ARGV[1], ARGV[2], ARGV[3]
local outcomes = { delivered = ARGV[5], failed = ARGV[6], cancelled = ARGV[7] }
local guests = ARGV[4]
for i = 8, #ARGV, 3 do
  local batch, guest, noted = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local key = batchPrefix .. batch
  for outcome, suffix in pairs(outcomes) do
    if outcome ~= noted then redis.call('SREM', key .. suffix, guest) end
  end
  if noted == 'taken' then
    redis.call('SADD', key .. guests, guest)
    redis.call('HSET', key, 'plain', '1')
    redis.call('HSETNX', key, 'createdAt', now)
    redis.call('ZADD', batches, 'NX', now, batch)
  else
    redis.call('SADD', key .. outcomes[noted], guest)
  end
end
return 1`;

/**
 * Counts deliveries and failures, per batch by guest and for the whole queue by job, without a
 * Redis round trip per job: what happens gathers in memory and is written in one pipeline every
 * `flushIntervalMs`, and on close. A process killed outright loses at most one interval of
 * counts (the deliveries themselves are not affected).
 */
export class BatchCounters {
  readonly #redis: Redis;
  readonly #keys: BatchKeys;
  readonly #logger: Logger;
  #totals = zeroTotals();
  #notes: [batch: string, guest: string, noted: Noted][] = [];
  readonly #writes: PeriodicWrites;

  constructor(redis: Redis, keys: BatchKeys, logger: Logger, flushIntervalMs = 1_000) {
    this.#redis = redis;
    this.#keys = keys;
    this.#logger = logger;
    this.#writes = new PeriodicWrites(() => this.#write(), flushIntervalMs);
  }

  /** A delivery job finished, for good: delivered, failed, or dropped as its batch was cancelled. */
  record(job: CountedJob, outcome: BatchOutcome): void {
    this.#totals[outcome] += 1;
    const batch = batchOfJob(job);
    if (batch) this.#notes.push([batch, guestOfJob(job), outcome]);
  }

  /** A worker took a delivery job: only a plain producer's job of a batch is counted then. */
  taken(job: CountedJob): void {
    const batch = batchOfJob(job);
    if (batch && isPlainBatchJob(job)) this.#notes.push([batch, guestOfJob(job), "taken"]);
  }

  /** Writes what has gathered; one flush at a time, in order. */
  flush(): Promise<void> {
    return this.#writes.flush();
  }

  close(): Promise<void> {
    return this.#writes.close();
  }

  async #write(): Promise<void> {
    const totals = this.#totals;
    const notes = this.#notes;
    if (notes.length === 0 && Object.values(totals).every((n) => n === 0)) return;
    this.#totals = zeroTotals();
    this.#notes = [];
    const pipeline = this.#redis.pipeline();
    // What to put back when Redis refuses a command, or the whole pipeline: written with the next
    // flush once Redis answers again, before anything noted since.
    const restores: (() => void)[] = [];
    for (const outcome of BATCH_OUTCOMES) {
      const count = totals[outcome];
      if (!count) continue;
      pipeline.hincrby(this.#keys.totals, outcome, count);
      restores.push(() => {
        this.#totals[outcome] += count;
      });
    }
    if (notes.length > 0) {
      pipeline.eval(
        APPLY_NOTES,
        0,
        String(Date.now()),
        this.#keys.batches,
        this.#keys.batch(""), // every batch's key starts so
        ...(["guests", ...BATCH_OUTCOMES] as const).map(deliverySetSuffix),
        ...notes.flat(),
      );
      restores.push(() => {
        this.#notes = [...notes, ...this.#notes];
      });
    }
    let replies: [Error | null, unknown][];
    try {
      replies = (await pipeline.exec()) ?? [];
    } catch (error) {
      for (const restore of restores) restore();
      this.#logger.debug({ err: error }, "batch counters not written yet");
      return;
    }
    replies.forEach(([error], i) => {
      if (!error) return;
      restores[i]?.();
      this.#logger.debug({ err: error }, "batch counters not written yet");
    });
  }
}
