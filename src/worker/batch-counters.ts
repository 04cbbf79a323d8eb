import type Redis from "ioredis";
import type { BatchKeys } from "../batches/batch-keys";
import type { Logger } from "../logging/logger";

export type BatchOutcome = "delivered" | "failed" | "cancelled";

/**
 * Counts deliveries and failures per batch without a Redis round trip per job: counts gather in
 * memory and are written in one pipeline every `flushIntervalMs`, and on close. A process killed
 * outright loses at most one interval of counts (the deliveries themselves are not affected).
 */
export class BatchCounters {
  readonly #redis: Redis;
  readonly #keys: BatchKeys;
  readonly #logger: Logger;
  #pending = new Map<string, Record<BatchOutcome, number>>();
  #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(redis: Redis, keys: BatchKeys, logger: Logger, flushIntervalMs = 1_000) {
    this.#redis = redis;
    this.#keys = keys;
    this.#logger = logger;
    this.#timer = setInterval(() => void this.flush(), flushIntervalMs);
    this.#timer.unref();
  }

  record(batchId: string | undefined, outcome: BatchOutcome, delta = 1): void {
    // "" stands for the whole queue; every outcome counts there too.
    for (const key of batchId ? ["", batchId] : [""]) {
      const counts = this.#pending.get(key) ?? { delivered: 0, failed: 0, cancelled: 0 };
      counts[outcome] += delta;
      this.#pending.set(key, counts);
    }
  }

  /** Writes what has gathered; one flush at a time, in order. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    const pipeline = this.#redis.pipeline();
    for (const [id, counts] of batch) {
      const key = id ? this.#keys.batch(id) : this.#keys.totals;
      if (counts.delivered) pipeline.hincrby(key, "delivered", counts.delivered);
      if (counts.failed) pipeline.hincrby(key, "failed", counts.failed);
      if (counts.cancelled) pipeline.hincrby(key, "cancelled", counts.cancelled);
    }
    try {
      await pipeline.exec();
    } catch (error) {
      // Put the counts back: they are written with the next flush once Redis answers again.
      for (const [id, counts] of batch) {
        const target = this.#pending.get(id) ?? { delivered: 0, failed: 0, cancelled: 0 };
        target.delivered += counts.delivered;
        target.failed += counts.failed;
        target.cancelled += counts.cancelled;
        this.#pending.set(id, target);
      }
      this.#logger.debug({ err: error }, "batch counters not written yet");
    }
  }
}
