import type { Enqueued } from "./delivery-producer";

/**
 * Job data that breaks the job contract. Nothing was written for it. The message names each
 * offending field and never quotes a value: the value may be a guest's password.
 */
export class InvalidJobError extends Error {
  override name = "InvalidJobError";
  readonly code = "COURIER_INVALID_JOB";

  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * An enqueue option out of range (priority, sendAt, chunkSize). It applies to the whole call, so
 * the call writes nothing; `option` is the option's name.
 */
export class InvalidEnqueueOptionError extends Error {
  override name = "InvalidEnqueueOptionError";
  readonly code = "COURIER_INVALID_ENQUEUE_OPTION";

  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`${option}: ${problem}`);
  }
}

/** What became of each item of an `enqueueMany` that Redis stopped part-way, by input index. */
export interface InterruptedEnqueue {
  /** Enqueued, or recognised as duplicates: Redis confirmed it. */
  accepted: Enqueued[];
  /** Invalid items, never sent. */
  rejected: { index: number; reason: string }[];
  /** Redis answered that it did not write them. */
  refused: number[];
  /** Sent when Redis stopped answering: one chunk, written as a whole or not at all. */
  unconfirmed: number[];
  /** Never sent. */
  notAttempted: number[];
}

/**
 * Redis did not answer within the deadline (COURIER_REDIS_UNREACHABLE) or refused to write
 * (COURIER_REDIS_REFUSED: out of memory, a read-only replica…) part-way through an
 * `enqueueMany`. Every item is in exactly one list of `items`; the batches' totals count exactly
 * the jobs written. Enqueueing the same items again is safe: what was written is a duplicate.
 */
export class EnqueueInterruptedError extends Error {
  override name = "EnqueueInterruptedError";

  constructor(
    readonly code: "COURIER_REDIS_UNREACHABLE" | "COURIER_REDIS_REFUSED",
    message: string,
    readonly items: InterruptedEnqueue,
  ) {
    super(message);
  }
}
