import type Redis from "ioredis";
import type { Logger } from "../logging/logger";
import { PeriodicWrites } from "../redis/periodic-writes";
import type { DeliveryRecord } from "./delivery-record";
import { bucketUntil, type HistoryKeys, indexEntry } from "./history-keys";
import { encodeRecord, recordFinishedMs } from "./record-encoding";

/**
 * Records held while Redis refuses them, at most: beyond, the oldest are dropped (and said so), so
 * that a Redis refusing writes for hours cannot fill the worker's memory.
 */
export const MAX_HELD_RECORDS = 100_000;

/**
 * Keeps the delivery history (history-keys.ts) without a Redis round trip per job: records gather
 * in memory and are written in one pipeline every `flushIntervalMs`, and on close, as the batch
 * counters are. Writing a record again is harmless (same field, same index entries), so what
 * Redis refuses is put back whole and written with the next flush. A process killed outright
 * loses at most one interval of records (the deliveries themselves are not affected).
 */
export class HistoryWriter {
  readonly #redis: Redis;
  readonly #keys: HistoryKeys;
  readonly #retentionMs: number;
  readonly #logger: Logger;
  #records: DeliveryRecord[] = [];
  #dropped = 0;
  readonly #writes: PeriodicWrites;

  constructor(
    redis: Redis,
    keys: HistoryKeys,
    retentionMs: number,
    logger: Logger,
    flushIntervalMs = 1_000,
  ) {
    this.#redis = redis;
    this.#keys = keys;
    this.#retentionMs = retentionMs;
    this.#logger = logger;
    this.#writes = new PeriodicWrites(() => this.#write(), flushIntervalMs);
  }

  /** A delivery job finished for good: its record is written with the next flush. */
  add(record: DeliveryRecord): void {
    this.#records.push(record);
  }

  /** Writes what has gathered; one flush at a time, in order. */
  flush(): Promise<void> {
    return this.#writes.flush();
  }

  close(): Promise<void> {
    return this.#writes.close();
  }

  async #write(): Promise<void> {
    const records = this.#records;
    if (records.length === 0) return;
    this.#records = [];
    const now = Date.now();
    const buckets = this.#byBucket(records, now);
    if (buckets.size === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const [until, bucket] of buckets) {
      const recordsKey = this.#keys.records(until);
      const indexKey = this.#keys.index(until);
      pipeline.hset(recordsKey, ...bucket.fields);
      pipeline.pexpireat(recordsKey, until);
      if (bucket.entries.length > 0) {
        pipeline.zadd(indexKey, ...bucket.entries.flatMap((entry) => [0, entry]));
        pipeline.pexpireat(indexKey, until);
      }
    }
    const untils = [...buckets.keys()];
    pipeline.zadd(this.#keys.buckets, ...untils.flatMap((until) => [until, until]));
    pipeline.zremrangebyscore(this.#keys.buckets, "-inf", now);
    // Every bucket written expires within the retention from now: so does the list of them.
    pipeline.pexpire(this.#keys.buckets, this.#retentionMs);
    let failed: unknown;
    try {
      const replies = (await pipeline.exec()) ?? [];
      failed = replies.find(([error]) => error)?.[0];
    } catch (error) {
      failed = error;
    }
    if (failed) this.#putBack(records, failed);
  }

  /** The records' fields and index entries by the bucket they go in; expired ones are left out. */
  #byBucket(records: DeliveryRecord[], now: number) {
    const buckets = new Map<number, { fields: string[]; entries: string[] }>();
    for (const record of records) {
      const until = bucketUntil(recordFinishedMs(record), this.#retentionMs);
      if (until <= now) continue;
      let bucket = buckets.get(until);
      if (!bucket) {
        bucket = { fields: [], entries: [] };
        buckets.set(until, bucket);
      }
      const { jobId } = record;
      bucket.fields.push(jobId, encodeRecord(record));
      if (record.pid !== "") bucket.entries.push(indexEntry("pid", record.pid, jobId));
      if (record.reference !== undefined) {
        bucket.entries.push(indexEntry("reference", record.reference, jobId));
      }
      if (record.batchId !== undefined) {
        bucket.entries.push(indexEntry("batch", record.batchId, jobId));
      }
    }
    return buckets;
  }

  /** What Redis refused goes back before anything added since, within MAX_HELD_RECORDS. */
  #putBack(records: DeliveryRecord[], error: unknown): void {
    const held = [...records, ...this.#records];
    const excess = held.length - MAX_HELD_RECORDS;
    if (excess > 0) {
      held.splice(0, excess);
      this.#dropped += excess;
      this.#logger.warn(
        { err: error, dropped: this.#dropped },
        `delivery history: ${this.#dropped} records dropped so far, Redis refusing them for too long`,
      );
    } else {
      this.#logger.debug({ err: error }, "delivery history not written yet");
    }
    this.#records = held;
  }
}
