import type { Queue } from "bullmq";
import type { BatchKeys } from "../batches/batch-keys";
import { type DeliveryJob, validateDeliveryJob } from "../jobs/job-schema";
import { type Logger, silentLogger } from "../logging/logger";
import {
  type AnswerDeadline,
  isConnectionLoss,
  RedisUnreachableError,
} from "../redis/answer-within";
import type { KeyRing } from "../secrets";
import { type AddOutcome, ChunkRefusedError, writeChunk } from "./chunk-writer";
import { type DeliveryJobEntry, deliveryJobEntry, type ProducerPolicy } from "./delivery-job-entry";
import {
  checkEnqueueOptions,
  DEFAULT_CHUNK_SIZE,
  type EnqueueManyOptions,
  type EnqueueOptions,
} from "./enqueue-options";
import { EnqueueInterruptedError, type InterruptedEnqueue, InvalidJobError } from "./errors";

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
  batches?: { keys: BatchKeys };
  /**
   * For one-shot commands: give up on a chunk Redis has not answered within this time (a
   * connection that waits for Redis to come back would wait forever). Unset, wait as long as it takes.
   */
  answerDeadline?: AnswerDeadline;
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
  readonly #deadline: AnswerDeadline | undefined;

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
    this.#deadline = options.answerDeadline;
  }

  /** Validates, then writes one job in one round trip. Throws `InvalidJobError` before writing. */
  async enqueue(data: unknown, options: EnqueueOptions = {}): Promise<Enqueued> {
    checkEnqueueOptions(options);
    const validation = validateDeliveryJob(data);
    if (!validation.ok) throw new InvalidJobError(validation.reason);
    const entry = deliveryJobEntry(validation.job, options, this.#policy, Date.now());
    const [added] = await this.#write([entry]).catch((error: unknown) => {
      throw writeFailure(error);
    });
    if (!added || "refused" in added) {
      throw refusal(added?.refused ?? new Error("no answer for the job"));
    }
    const result = outcome(entry, added.jobId);
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
      const stop = await this.#enqueueChunk(chunk, enqueueOptions, accepted);
      if (stop) {
        const notAttempted = valid.slice(start + chunkSize).map(({ index }) => index);
        const items = { accepted, rejected, ...stop.items, notAttempted };
        throw interrupted(stop.error, items, this.#deadline?.url);
      }
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

  /**
   * Writes one chunk and adds what Redis confirmed to `accepted`; or says what Redis left of the
   * chunk when it refused part of it or all of it, or did not answer.
   */
  async #enqueueChunk(
    chunk: { index: number; job: DeliveryJob }[],
    options: EnqueueOptions,
    accepted: Enqueued[],
  ): Promise<
    { error: unknown; items: Pick<InterruptedEnqueue, "refused" | "unconfirmed"> } | undefined
  > {
    const now = Date.now();
    const entries = chunk.map(({ job }) => deliveryJobEntry(job, options, this.#policy, now));
    let added: AddOutcome[];
    try {
      added = await this.#write(entries);
    } catch (error) {
      const indexes = chunk.map(({ index }) => index);
      // Refused as a whole: nothing written. No answer: all of it written, or none.
      if (error instanceof ChunkRefusedError) {
        return { error, items: { refused: indexes, unconfirmed: [] } };
      }
      if (error instanceof RedisUnreachableError || isConnectionLoss(error)) {
        return { error, items: { refused: [], unconfirmed: indexes } };
      }
      throw error;
    }
    const refused: number[] = [];
    let firstRefusal: Error | undefined;
    chunk.forEach(({ index }, i) => {
      const answer = added[i] as AddOutcome;
      if ("refused" in answer) {
        refused.push(index);
        firstRefusal ??= answer.refused;
      } else {
        accepted.push({ index, ...outcome(entries[i] as DeliveryJobEntry, answer.jobId) });
      }
    });
    return firstRefusal ? { error: firstRefusal, items: { refused, unconfirmed: [] } } : undefined;
  }

  /** One MULTI: the adds, and the batch totals of what was written. */
  #write(entries: DeliveryJobEntry[]): Promise<AddOutcome[]> {
    return writeChunk(this.#queue, entries, this.#batches?.keys, this.#deadline);
  }
}

/** Redis' refusal of a write (it answered, and wrote nothing of it), as callers read it. */
function refusal(error: Error): Error & { code: "COURIER_REDIS_REFUSED" } {
  // BullMQ's scripts append where in the script Redis refused: not the admin's concern.
  const reason = error.message.replace(/ script: .*$/s, "");
  return Object.assign(new Error(`Redis refused to enqueue: ${reason}`), {
    code: "COURIER_REDIS_REFUSED" as const,
  });
}

/** What `enqueue` throws when the write fails: Redis' refusal, or whatever else stopped it. */
function writeFailure(error: unknown): unknown {
  return error instanceof ChunkRefusedError ? refusal(error) : error;
}

function interrupted(
  error: unknown,
  items: InterruptedEnqueue,
  url: string | undefined,
): EnqueueInterruptedError {
  if (items.unconfirmed.length === 0) {
    return new EnqueueInterruptedError(
      "COURIER_REDIS_REFUSED",
      refusal(error as Error).message,
      items,
    );
  }
  const unreachable =
    error instanceof RedisUnreachableError ? error : RedisUnreachableError.wentAway(url, error);
  return new EnqueueInterruptedError("COURIER_REDIS_UNREACHABLE", unreachable.message, items);
}

/** BullMQ answers a deduplicated add with the id of the job it kept. */
function outcome(entry: DeliveryJobEntry, returnedId: string | undefined): Enqueued {
  if (!returnedId) throw new Error("BullMQ returned no job id for an added job");
  if (returnedId === entry.opts.jobId) return { jobId: returnedId, duplicate: false };
  return { jobId: returnedId, duplicate: true, duplicateOf: returnedId };
}
