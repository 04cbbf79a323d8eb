import { answerWithin } from "../redis/answer-within";
import { readBatchState } from "./batch-control";
import type { FailedJobsTarget } from "./failed-jobs";

/**
 * Whether `failed retry` of a batch is refused: the batch was cancelled, so the workers would drop
 * its retried deliveries as they take them, counted cancelled, which is not what an operator
 * retrying them expects.
 */
export async function batchRefusesRetry(
  { redis, keys, deadline }: Pick<FailedJobsTarget, "redis" | "keys" | "deadline">,
  batchId: string,
): Promise<boolean> {
  return (await answerWithin(readBatchState(redis, keys, batchId), deadline)) === "cancelled";
}

/** Why nothing was retried; `batch` as the caller shows it (made safe for a terminal, or not). */
export function cancelledRetryMessage(batch: string): string {
  return `batch "${batch}" was cancelled (batch cancel): its deliveries would be dropped, not sent; nothing retried`;
}
