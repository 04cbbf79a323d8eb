import { DelayedError, type Job } from "bullmq";
import type Redis from "ioredis";
import type { BatchState } from "../batches/batch-control";
import type { BatchKeys } from "../batches/batch-keys";
import { batchOfJob } from "../jobs/job-id";
import type { Logger } from "../logging/logger";

/** How long a paused batch's job waits before a worker looks at it again; `resume` ends it at once. */
export const PAUSED_HOLD_MS = 10_000;

/** How stale the worker's copy of the batches' states may be: a pause takes effect within it. */
export const BATCH_STATES_MAX_AGE_MS = 1_000;

/**
 * The workers' side of `batch pause | cancel`: which batches' jobs to hold back or drop, without
 * a Redis round trip per job. The states of every batch are read in one HGETALL at most once per
 * BATCH_STATES_MAX_AGE_MS; a batch the copy says paused is checked in Redis before its job is held,
 * so that a resumed batch runs again at once.
 */
export class BatchGate {
  readonly #redis: Redis;
  readonly #keys: BatchKeys;
  readonly #logger: Logger;
  #states = new Map<string, BatchState>();
  #readAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<void> | undefined;

  constructor(redis: Redis, keys: BatchKeys, logger: Logger) {
    this.#redis = redis;
    this.#keys = keys;
    this.#logger = logger;
  }

  /**
   * Holds a paused batch's job back (moved to delayed, no attempt spent: throws BullMQ's
   * DelayedError), or answers whether to run it or drop it as cancelled.
   */
  async admit(job: Job, lockToken: string | undefined): Promise<"run" | "cancelled"> {
    const batch = batchOfJob(job);
    if (batch === undefined) return "run";
    const state = await this.#stateOf(batch);
    if (state === "cancelled") return "cancelled";
    if (state !== "paused") return "run";
    const now = await this.#redis.hget(this.#keys.control, batch);
    if (now === null) {
      this.#states.delete(batch);
      return "run";
    }
    if (now === "cancelled") {
      this.#states.set(batch, now);
      return "cancelled";
    }
    // Recorded first: a resume that reads the set after this sees the job, and promotes it.
    await this.#redis.sadd(this.#keys.held(batch), job.id as string);
    await job.moveToDelayed(Date.now() + PAUSED_HOLD_MS, lockToken);
    throw new DelayedError();
  }

  async #stateOf(batch: string): Promise<BatchState | undefined> {
    if (Date.now() - this.#readAt > BATCH_STATES_MAX_AGE_MS) {
      this.#reading ??= this.#read().finally(() => {
        this.#reading = undefined;
      });
      await this.#reading;
    }
    return this.#states.get(batch);
  }

  async #read(): Promise<void> {
    try {
      const all = await this.#redis.hgetall(this.#keys.control);
      const states = new Map<string, BatchState>();
      for (const [batch, state] of Object.entries(all)) {
        if (state === "paused" || state === "cancelled") states.set(batch, state);
      }
      this.#states = states;
      this.#readAt = Date.now();
    } catch (error) {
      // The job's own Redis calls meet the same trouble; the last known states serve meanwhile.
      this.#logger.debug({ err: error }, "batch states not read");
    }
  }
}
