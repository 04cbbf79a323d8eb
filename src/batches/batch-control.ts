import type Redis from "ioredis";
import { batchOfJobId, isAccountsJobId } from "../jobs/job-id";
import { answerWithin } from "../redis/answer-within";
import { promoteKeys, removeJobArgs, removeJobKeys } from "../redis/bullmq-scripts";
import {
  CANCEL_PENDING_JOB,
  MARK_BATCH,
  RELEASE_HELD_JOB,
  UNMARK_PAUSED,
} from "./batch-control-scripts";
import { type BatchKeys, deliverySetSuffix } from "./batch-keys";
import { UnknownBatchError } from "./batch-status";
import { type FailedJobsTarget, runPerJob } from "./failed-jobs";

/**
 * What the workers do with a batch's jobs (`batch pause | resume | cancel`). BullMQ pauses only a
 * whole queue, so a batch's state lives in a hash of our own that every worker reads (cached, see
 * src/worker/batch-gate.ts): a paused batch's jobs are held back as they are taken, a cancelled
 * batch's are dropped. Absent means running.
 */
export type BatchState = "paused" | "cancelled";

export class BatchCancelledError extends Error {
  readonly code = "COURIER_BATCH_CANCELLED";
  constructor(readonly batchId: string) {
    super(`batch "${batchId}" was cancelled: it can be neither paused nor resumed`);
  }
}

export async function readBatchState(
  redis: Redis,
  keys: BatchKeys,
  batchId: string,
): Promise<BatchState | undefined> {
  const state = await redis.hget(keys.control, batchId);
  return state === "paused" || state === "cancelled" ? state : undefined;
}

/** Marks the batch paused: the workers hold its jobs back from their next take on. */
export async function pauseBatch(target: FailedJobsTarget, batchId: string): Promise<void> {
  const { redis, keys, deadline } = target;
  const answer = await answerWithin(
    redis.eval(MARK_BATCH, 2, keys.control, keys.batch(batchId), batchId, "paused"),
    deadline,
  );
  if (answer === "unknown") throw new UnknownBatchError(batchId);
  if (answer === "cancelled") throw new BatchCancelledError(batchId);
}

/**
 * Clears the pause and sends the jobs the workers held back to the queue at once; the batch's
 * scheduled jobs whose time has not come stay scheduled. Answers how many were released and
 * whether the batch was paused at all.
 */
export async function resumeBatch(
  target: FailedJobsTarget,
  batchId: string,
): Promise<{ wasPaused: boolean; released: number }> {
  const { redis, keys, queue, deadline } = target;
  const answer = await answerWithin(
    redis.eval(UNMARK_PAUSED, 2, keys.control, keys.batch(batchId), batchId),
    deadline,
  );
  if (answer === "unknown") throw new UnknownBatchError(batchId);
  if (answer === "cancelled") throw new BatchCancelledError(batchId);
  // SREM what was read, not DEL: a worker holding a job this very moment adds it after the read.
  const held = await answerWithin(redis.smembers(keys.held(batchId)), deadline);
  const { changed } = await runPerJob(target, RELEASE_HELD_JOB, held, (id) => [
    ...promoteKeys(queue),
    queue.toKey(""),
    id,
  ]);
  if (held.length > 0) await answerWithin(redis.srem(keys.held(batchId), ...held), deadline);
  return { wasPaused: answer === "resumed", released: changed };
}

/**
 * Marks the batch cancelled, for good, then removes its pending jobs (waiting, prioritized, held
 * or scheduled) and the passwords they hold, counting each delivery cancelled. Jobs in flight
 * finish; a job of the batch a worker takes later (a retry, a plain producer's) is dropped and
 * counted cancelled by the worker.
 */
export async function cancelBatch(
  target: FailedJobsTarget,
  batchId: string,
): Promise<{ cancelled: number; inFlight: number }> {
  const { redis, keys, queue, deadline } = target;
  const answer = await answerWithin(
    redis.eval(MARK_BATCH, 2, keys.control, keys.batch(batchId), batchId, "cancelled"),
    deadline,
  );
  if (answer === "unknown") throw new UnknownBatchError(batchId);
  const ofBatch = (ids: string[]) => ids.filter((id) => batchOfJobId(id) === batchId);
  const pending = ofBatch(
    await answerWithin(queue.getRanges(["wait", "prioritized", "delayed"], 0, -1), deadline),
  );
  const remove = (ids: string[], counted: boolean) =>
    runPerJob(target, CANCEL_PENDING_JOB, ids, (id) => [
      ...removeJobKeys(queue, id),
      keys.totals,
      keys.batch(batchId),
      id,
      ...removeJobArgs(queue),
      counted ? "1" : "0",
      ...(["delivered", "failed", "cancelled"] as const).map(deliverySetSuffix),
    ]);
  // An onboarding job's guests are counted by their accounts, not as deliveries.
  const { changed } = await remove(
    pending.filter((id) => !isAccountsJobId(id)),
    true,
  );
  await remove(pending.filter(isAccountsJobId), false);
  await answerWithin(redis.del(keys.held(batchId)), deadline);
  const active = ofBatch(await answerWithin(queue.getRanges(["active"], 0, -1), deadline));
  return {
    cancelled: changed,
    inFlight: active.filter((id) => !isAccountsJobId(id)).length,
  };
}
