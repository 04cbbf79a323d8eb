import { PRIORITY_LIMIT } from "bullmq";
import { InvalidEnqueueOptionError } from "./errors";

export interface EnqueueOptions {
  /**
   * BullMQ priority: 1 (highest) to 2,097,151 (BullMQ's PRIORITY_LIMIT). Jobs without a priority
   * are taken before every prioritized job, as BullMQ does.
   */
  priority?: number;
  /** Deliver no earlier than this (a BullMQ delay). A time in the past means now. */
  sendAt?: Date;
  /**
   * Skip duplicate protection: send even if the same (source_id, pid, password) was enqueued
   * within the duplicate window.
   */
  resend?: boolean;
}

export interface EnqueueManyOptions extends EnqueueOptions {
  /** Jobs written per Redis round trip (one BullMQ `addBulk` each). Default 1000. */
  chunkSize?: number;
}

export const DEFAULT_CHUNK_SIZE = 1000;

/** Throws `InvalidEnqueueOptionError` naming the first bad option; checked before any write. */
export function checkEnqueueOptions(options: EnqueueManyOptions): void {
  const { priority, sendAt, resend, chunkSize } = options;
  if (priority !== undefined && !isWholeNumberIn(priority, 1, PRIORITY_LIMIT)) {
    throw new InvalidEnqueueOptionError(
      "priority",
      `must be a whole number from 1 (highest) to ${PRIORITY_LIMIT} (lowest)`,
    );
  }
  if (sendAt !== undefined && !(sendAt instanceof Date && !Number.isNaN(sendAt.getTime()))) {
    throw new InvalidEnqueueOptionError("sendAt", "must be a valid Date");
  }
  if (resend !== undefined && typeof resend !== "boolean") {
    throw new InvalidEnqueueOptionError("resend", "must be true or false");
  }
  if (chunkSize !== undefined && !isWholeNumberIn(chunkSize, 1, Number.MAX_SAFE_INTEGER)) {
    throw new InvalidEnqueueOptionError("chunkSize", "must be a whole number of 1 or more");
  }
}

/** The BullMQ delay that makes a job due at `sendAt`; a past time gives 0 (due now). */
export function delayUntil(sendAt: Date, now: number): number {
  return Math.max(0, sendAt.getTime() - now);
}

function isWholeNumberIn(value: unknown, min: number, max: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}
