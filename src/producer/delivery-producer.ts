import type { Queue } from "bullmq";
import type Redis from "ioredis";
import type { BatchKeys } from "../batches/batch-keys";
import { registerEnqueued } from "../batches/batch-registry";
import { type DeliveryJob, validateDeliveryJob } from "../jobs/job-schema";
import { type Logger, silentLogger } from "../logging/logger";
import type { KeyRing } from "../secrets";
import { type DeliveryJobEntry, deliveryJobEntry, type ProducerPolicy } from "./delivery-job-entry";
import {
  checkEnqueueOptions,
  DEFAULT_CHUNK_SIZE,
  type EnqueueManyOptions,
  type EnqueueOptions,
} from "./enqueue-options";
import { InvalidJobError } from "./errors";

export interface Enqueued {
  /** Position in the `enqueueMany` input. */
  index?: number;
  /** The job that carries this delivery: the new one, or the earlier one for a duplicate. */
  jobId: string;
  /** The same delivery was enqueued within the duplicate window; nothing new was written. */
  duplicate: boolean;
  duplicateOf?: string;
}

export interface EnqueueManyResult {
  accepted: Enqueued[];
  rejected: { index: number; reason: string }[];
}

export interface DeliveryProducerOptions {
  /** The queue to write to. Its default job options apply: give it none that set retries. */
  queue: Queue;
  duplicateWindowMs: number;
  duplicateKeySecret: string;
  /** How long a failed job stays for inspection (FAILED_JOB_RETENTION). Default 30 days. */
  failedRetentionMs?: number;
  /** Where batch totals are kept, so `status` can tell how much of a batch is done. */
  batches?: { redis: Redis; keys: BatchKeys };
  /** The fleet's key ring (JOB_ENCRYPTION_KEYS): each password is sealed under its active key. */
  keyRing?: KeyRing;
  logger?: Logger;
}

const THIRTY_DAYS_MS = 30 * 86_400_000;

/** Enqueues credential deliveries: validated, duplicate-protected, never retried by job options. */
export class DeliveryProducer {
  readonly #queue: Queue;
  readonly #policy: ProducerPolicy;
  readonly #logger: Logger;
  readonly #batches: DeliveryProducerOptions["batches"];

  constructor(options: DeliveryProducerOptions) {
    const { queue, duplicateWindowMs, duplicateKeySecret } = options;
    const failedRetentionMs = options.failedRetentionMs ?? THIRTY_DAYS_MS;
    if (!Number.isInteger(duplicateWindowMs) || duplicateWindowMs < 1) {
      // 0 would turn BullMQ's throttle mode into its simple mode (protection ends with the job).
      throw new RangeError("duplicateWindowMs must be a whole number of milliseconds, 1 or more");
    }
    if (!Number.isFinite(failedRetentionMs) || failedRetentionMs < 1) {
      throw new RangeError("failedRetentionMs must be a number of milliseconds, 1 or more");
    }
    if (!duplicateKeySecret) throw new RangeError("duplicateKeySecret must not be empty");
    this.#queue = queue;
    this.#policy = {
      duplicateWindowMs,
      duplicateKeySecret,
      failedRetentionMs,
      keyRing: options.keyRing,
    };
    this.#logger = (options.logger ?? silentLogger()).child({ queue: queue.name });
    this.#batches = options.batches;
  }

  /** Validates, then writes one job in one round trip. Throws `InvalidJobError` before writing. */
  async enqueue(data: unknown, options: EnqueueOptions = {}): Promise<Enqueued> {
    checkEnqueueOptions(options);
    const validation = validateDeliveryJob(data);
    if (!validation.ok) throw new InvalidJobError(validation.reason);
    const entry = deliveryJobEntry(validation.job, options, this.#policy, Date.now());
    const added = await this.#queue.add(entry.name, entry.data, entry.opts);
    const result = outcome(entry, added.id);
    if (!result.duplicate) await this.#registerInBatches([entry.data.batch_id]);
    this.#logger.info(
      { pid: entry.data.pid, batch_id: entry.data.batch_id, ...result },
      result.duplicate
        ? "credential delivery already enqueued within the duplicate window"
        : "credential delivery enqueued",
    );
    return result;
  }

  /**
   * Enqueues the valid items, reports the others by index, one round trip per chunk.
   * Duplicates are recognised within the call and across calls, so calling again after a Redis
   * failure half-way through writes each delivery once (unless `resend`).
   */
  async enqueueMany(
    items: unknown[],
    options: EnqueueManyOptions = {},
  ): Promise<EnqueueManyResult> {
    if (!Array.isArray(items)) throw new TypeError("enqueueMany takes an array of job data");
    checkEnqueueOptions(options);
    const { chunkSize = DEFAULT_CHUNK_SIZE, ...enqueueOptions } = options;
    const valid: { index: number; job: DeliveryJob }[] = [];
    const rejected: EnqueueManyResult["rejected"] = [];
    items.forEach((item, index) => {
      const validation = validateDeliveryJob(item);
      if (validation.ok) valid.push({ index, job: validation.job });
      else rejected.push({ index, reason: validation.reason });
    });

    const accepted: Enqueued[] = [];
    for (let start = 0; start < valid.length; start += chunkSize) {
      const chunk = valid.slice(start, start + chunkSize);
      const now = Date.now();
      const entries = chunk.map(({ job }) =>
        deliveryJobEntry(job, enqueueOptions, this.#policy, now),
      );
      // BullMQ's addBulk runs one add script per job in a single pipeline: one round trip, and
      // each script applies deduplication as `add` does (see the README's job contract).
      const added = await this.#queue.addBulk(entries);
      const enqueuedBatchIds: (string | undefined)[] = [];
      chunk.forEach(({ index }, i) => {
        const entry = entries[i] as DeliveryJobEntry;
        const result = outcome(entry, added[i]?.id);
        accepted.push({ index, ...result });
        if (!result.duplicate) enqueuedBatchIds.push(entry.data.batch_id);
      });
      await this.#registerInBatches(enqueuedBatchIds);
    }

    const duplicates = accepted.filter((item) => item.duplicate).length;
    this.#logger.info(
      {
        submitted: items.length,
        enqueued: accepted.length - duplicates,
        duplicates,
        rejected: rejected.length,
        chunks: Math.ceil(valid.length / chunkSize),
      },
      "credential deliveries enqueued in bulk",
    );
    return { accepted, rejected };
  }

  async #registerInBatches(batchIds: (string | undefined)[]): Promise<void> {
    if (!this.#batches) return;
    await registerEnqueued(this.#batches.redis, this.#batches.keys, batchIds);
  }
}

/** BullMQ answers a deduplicated add with the id of the job it kept. */
function outcome(entry: DeliveryJobEntry, returnedId: string | undefined): Enqueued {
  if (!returnedId) throw new Error("BullMQ returned no job id for an added job");
  if (returnedId === entry.opts.jobId) return { jobId: returnedId, duplicate: false };
  return { jobId: returnedId, duplicate: true, duplicateOf: returnedId };
}
