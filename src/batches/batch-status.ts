import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { batchOfJobId, isAccountsJobId } from "../jobs/job-id";
import { type AccountCounts, readAccountCounts } from "./account-counts";
import type { BatchKeys, DeliverySet } from "./batch-keys";

/** What `status` reports of a batch or the queue; `--json` prints these keys, and the fleet's `pause`. */
export interface BatchStatus {
  /** The batch id, or null for the whole queue. */
  batch: string | null;
  /** Distinct guests of a batch (jobs, for the queue). */
  total: number;
  /**
   * False for a batch with jobs from a plain producer (data.batch_id, no courier producer): they
   * are counted only once a worker takes them, so the total is what is known so far.
   */
  totalKnown?: boolean;
  waiting: number;
  delayed: number;
  active: number;
  delivered: number;
  failed: number;
  /** When the earliest delayed delivery (a retry waiting out its back-off, a `--send-at`) is due. */
  nextDueAt?: string;
  /** Guests whose deliveries a `batch cancel` removed, or a worker dropped because their batch was cancelled. */
  cancelled: number;
  /** `batch pause` holds the batch's jobs back (never true for the whole queue). */
  paused: boolean;
  createdAt?: string;
  /** An onboarded batch's guests, by what became of their accounts (`onboard`). */
  accounts?: AccountCounts;
}

export class UnknownBatchError extends Error {
  readonly code = "COURIER_UNKNOWN_BATCH";
  constructor(readonly batchId: string) {
    super(`no batch "${batchId}" in this queue (batches are listed by \`axelnac-courier status\`)`);
  }
}

/**
 * A batch's progress. Delivered and failed come from the sets of guests the workers keep (the
 * jobs themselves may be gone); active and scheduled from the job ids in BullMQ's lists, which
 * start with the batch id; waiting is what remains of the total.
 *
 * A batch counts guests (batch-keys.ts). One written by an older version counted jobs, in its
 * hash's total, delivered and failed: those are added to the sets' counts, so such a batch reads
 * as it did, and guests imported into it after an upgrade add to it (a guest of the older import
 * imported again is then counted twice, as the older version counted it). Nothing is migrated.
 */
export async function readBatchStatus(
  queue: Queue,
  redis: Redis,
  keys: BatchKeys,
  batchId: string,
): Promise<BatchStatus> {
  const [counters, sets, activeIds, delayedByDue, accounts, state] = await Promise.all([
    redis.hgetall(keys.batch(batchId)),
    readDeliverySets(redis, keys, batchId),
    queue.getRanges(["active"], 0, -1),
    redis.zrange(queue.toKey("delayed"), 0, -1, "WITHSCORES"),
    readAccountCounts(redis, keys, batchId),
    redis.hget(keys.control, batchId),
  ]);
  if (Object.keys(counters).length === 0) throw new UnknownBatchError(batchId);
  // Deliveries only: the batch's onboarding jobs are counted by account-counts.ts.
  const inBatch = (ids: string[]) =>
    ids.filter((id) => batchOfJobId(id) === batchId && !isAccountsJobId(id)).length;
  const total = Number(counters.total ?? 0) + sets.guests;
  const delivered = Number(counters.delivered ?? 0) + sets.delivered;
  const failed = Number(counters.failed ?? 0) + sets.failed;
  const cancelled = sets.cancelled;
  const active = inBatch(activeIds);
  const delayedIds = delayedByDue.filter((_, i) => i % 2 === 0);
  const delayed = inBatch(delayedIds);
  // Earliest first: the first of the batch's is the next due.
  const next = delayedIds.findIndex((id) => inBatch([id]) === 1);
  const nextDueAt = next < 0 ? undefined : dueAt(delayedByDue[next * 2 + 1]);
  return {
    batch: batchId,
    total,
    ...(counters.plain ? { totalKnown: false } : {}),
    waiting: Math.max(0, total - delivered - failed - cancelled - active - delayed),
    delayed,
    active,
    delivered,
    failed,
    cancelled,
    paused: state === "paused",
    ...(nextDueAt ? { nextDueAt } : {}),
    ...(counters.createdAt
      ? { createdAt: new Date(Number(counters.createdAt)).toISOString() }
      : {}),
    ...(accounts ? { accounts } : {}),
  };
}

/** How many guests each of a batch's delivery sets holds. */
async function readDeliverySets(
  redis: Redis,
  keys: BatchKeys,
  batchId: string,
): Promise<Record<DeliverySet, number>> {
  const [guests, delivered, failed, cancelled] = await Promise.all(
    DELIVERY_SETS.map((set) => redis.scard(keys.deliveries(batchId, set))),
  );
  return {
    guests: guests ?? 0,
    delivered: delivered ?? 0,
    failed: failed ?? 0,
    cancelled: cancelled ?? 0,
  };
}

const DELIVERY_SETS = [
  "guests",
  "delivered",
  "failed",
  "cancelled",
] as const satisfies DeliverySet[];

/** The whole queue: BullMQ's own counts for what is pending, the workers' counters for the rest. */
export async function readQueueStatus(
  queue: Queue,
  redis: Redis,
  keys: BatchKeys,
): Promise<BatchStatus> {
  const [counts, totals, [, nextScore]] = await Promise.all([
    queue.getJobCounts("wait", "prioritized", "waiting-children", "delayed", "active"),
    redis.hgetall(keys.totals),
    redis.zrange(queue.toKey("delayed"), 0, 0, "WITHSCORES"),
  ]);
  const nextDueAt = dueAt(nextScore);
  const waiting =
    (counts.wait ?? 0) +
    (counts.prioritized ?? 0) +
    (counts.paused ?? 0) +
    (counts["waiting-children"] ?? 0);
  const delayed = counts.delayed ?? 0;
  const active = counts.active ?? 0;
  const delivered = Number(totals.delivered ?? 0);
  const failed = Number(totals.failed ?? 0);
  const cancelled = Number(totals.cancelled ?? 0);
  return {
    batch: null,
    total: waiting + delayed + active + delivered + failed + cancelled,
    waiting,
    delayed,
    active,
    delivered,
    failed,
    cancelled,
    paused: false,
    ...(nextDueAt ? { nextDueAt } : {}),
  };
}

/** When a delayed job is due, from its score in BullMQ's delayed set (due time × 0x1000 + order). */
function dueAt(score: string | undefined): string | undefined {
  const at = Math.floor(Number(score) / 0x1000);
  return score !== undefined && Number.isFinite(at) ? new Date(at).toISOString() : undefined;
}

/** The most recent batches, newest first. */
export async function recentBatchIds(redis: Redis, keys: BatchKeys, count = 20): Promise<string[]> {
  return redis.zrevrange(keys.batches, 0, count - 1);
}

export function isSettled(status: BatchStatus): boolean {
  // Guests whose accounts are still to be created will bring deliveries of their own.
  const accountsPending = status.accounts?.pending ?? 0;
  return status.waiting + status.delayed + status.active + accountsPending === 0;
}
