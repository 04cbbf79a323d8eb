import type Redis from "ioredis";
import type { BatchKeys } from "../batches/batch-keys";
import { UnknownBatchError } from "../batches/batch-status";
import { type AnswerDeadline, answerWithin } from "../redis/answer-within";
import type { DeliveryRecord } from "./delivery-record";
import type { HistoryKeys } from "./history-keys";
import { recordPages } from "./history-reader";

/** Where a guest's delivery stands: the latest outcome the batch counted, or none yet. */
export type GuestOutcome = "delivered" | "failed" | "cancelled" | "pending";

/** One guest of a batch, for the organiser's follow-up. */
export interface GuestReport {
  /** The guest as the batch counts it: a pid, or `job <id>` for a job without one. */
  guest: string;
  outcome: GuestOutcome;
  /**
   * The record of the guest's latest delivery, when the history still has one whose outcome is
   * the one the batch counts (a pending guest's earlier delivery is not what stands).
   */
  record?: DeliveryRecord;
  /** The reference the guest's latest record carries, even when that record no longer stands. */
  reference?: string;
}

const OUTCOME_SETS = ["delivered", "failed", "cancelled"] as const;

/**
 * Every guest of a batch, by pid, with where their delivery stands. The outcome is the one the
 * batch's sets of guests hold, as `status` counts it (batch-keys.ts); the details come from the
 * history. Memory grows with the batch's guests, not with its records. Throws UnknownBatchError
 * for a batch this queue never had.
 */
export async function readBatchReport(
  redis: Redis,
  batchKeys: BatchKeys,
  historyKeys: HistoryKeys,
  batchId: string,
  deadline?: AnswerDeadline,
): Promise<GuestReport[]> {
  const [exists, guests, ...outcomeSets] = await answerWithin(
    Promise.all([
      redis.exists(batchKeys.batch(batchId)),
      redis.smembers(batchKeys.deliveries(batchId, "guests")),
      ...OUTCOME_SETS.map((set) => redis.smembers(batchKeys.deliveries(batchId, set))),
    ]),
    deadline,
  );
  if (exists === 0) throw new UnknownBatchError(batchId);
  const latest = new Map<string, DeliveryRecord>();
  for await (const page of recordPages(
    redis,
    historyKeys,
    { field: "batch", value: batchId },
    deadline,
  )) {
    for (const record of page.records) {
      const guest = guestOfRecord(record);
      const known = latest.get(guest);
      if (!known || known.finishedAt < record.finishedAt) latest.set(guest, record);
    }
  }
  const standing = new Map<string, GuestOutcome>();
  OUTCOME_SETS.forEach((outcome, i) => {
    for (const guest of outcomeSets[i] as string[]) standing.set(guest, outcome);
  });
  return [...new Set(guests as string[])].sort().map((guest) => {
    const outcome = standing.get(guest) ?? "pending";
    const record = latest.get(guest);
    return {
      guest,
      outcome,
      ...(record && record.outcome === outcome ? { record } : {}),
      ...(record?.reference !== undefined ? { reference: record.reference } : {}),
    };
  });
}

/** The guest a record is for, as the batch counts guests (batch-counters.ts, guestOfJob). */
function guestOfRecord(record: DeliveryRecord): string {
  return record.pid !== "" ? record.pid : `job ${record.jobId}`;
}
