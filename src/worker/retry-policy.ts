import type { Backoff } from "../outcome/retry-backoff";

/**
 * When a delivery that failed for a reason worth retrying (the SMS provider failed, the outcome was
 * ambiguous) is tried again, after backoffDelayMs (src/outcome/retry-backoff.ts). The policy
 * belongs to the worker, not to the job's options: a plain BullMQ producer's job has
 * `attempts: 1`, and must still be retried.
 */
export interface RetryPolicy extends Backoff {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Retry when the SMS may already have gone out: a guest with no SMS is worse than one with two. */
  retryAmbiguous: boolean;
}
