import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { batchOfJobId, isAccountsJobId } from "../jobs/job-id";
import { type AccountCounts, readAccountCounts } from "./account-counts";
import type { BatchKeys } from "./batch-keys";

/** What `status` reports of a batch or the queue; `--json` prints these keys, and the fleet's `pause`. */
export interface BatchStatus {
  /** The batch id, or null for the whole queue. */
  batch: string | null;
  total: number;
  waiting: number;
  delayed: number;
  active: number;
  delivered: number;
  failed: number;
  /** Deliveries a `batch cancel` removed, or a worker dropped because their batch was cancelled. */
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
 * A batch's progress. Delivered and failed come from the counters the workers keep (the jobs
 * themselves may be gone); active and scheduled from the job ids in BullMQ's lists, which start
 * with the batch id; waiting is what remains of the total.
 */
export async function readBatchStatus(
  queue: Queue,
  redis: Redis,
  keys: BatchKeys,
  batchId: string,
): Promise<BatchStatus> {
  const [counters, activeIds, delayedIds, accounts, state] = await Promise.all([
    redis.hgetall(keys.batch(batchId)),
    queue.getRanges(["active"], 0, -1),
    queue.getRanges(["delayed"], 0, -1),
    readAccountCounts(redis, keys, batchId),
    redis.hget(keys.control, batchId),
  ]);
  if (!counters.total) throw new UnknownBatchError(batchId);
  // Deliveries only: the batch's onboarding jobs are counted by account-counts.ts.
  const inBatch = (ids: string[]) =>
    ids.filter((id) => batchOfJobId(id) === batchId && !isAccountsJobId(id)).length;
  const total = Number(counters.total);
  const delivered = Number(counters.delivered ?? 0);
  const failed = Number(counters.failed ?? 0);
  const cancelled = Number(counters.cancelled ?? 0);
  const active = inBatch(activeIds);
  const delayed = inBatch(delayedIds);
  return {
    batch: batchId,
    total,
    waiting: Math.max(0, total - delivered - failed - cancelled - active - delayed),
    delayed,
    active,
    delivered,
    failed,
    cancelled,
    paused: state === "paused",
    ...(counters.createdAt
      ? { createdAt: new Date(Number(counters.createdAt)).toISOString() }
      : {}),
    ...(accounts ? { accounts } : {}),
  };
}

/** The whole queue: BullMQ's own counts for what is pending, the workers' counters for the rest. */
export async function readQueueStatus(
  queue: Queue,
  redis: Redis,
  keys: BatchKeys,
): Promise<BatchStatus> {
  const [counts, totals] = await Promise.all([
    queue.getJobCounts("wait", "prioritized", "waiting-children", "delayed", "active"),
    redis.hgetall(keys.totals),
  ]);
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
  };
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
