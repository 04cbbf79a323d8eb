/**
 * When a delivery that failed for a reason worth retrying (the SMS provider failed, the outcome was
 * ambiguous) is tried again. The policy belongs to the worker, not to the job's options: a plain
 * BullMQ producer's job has `attempts: 1`, and must still be retried.
 *
 * Delay before attempt n+1, after n failed attempts: exponential with "equal jitter", capped:
 *   d = min(backoffMax, backoff × 2^(n−1));  delay = d/2 + random × d/2
 * With the defaults (5 s, cap 10 min): 2.5–5 s, 5–10 s, 10–20 s, 20–40 s … 5–10 min.
 * The jitter spreads out retries of jobs that failed together.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  backoffMs: number;
  backoffMaxMs: number;
  /** Retry when the SMS may already have gone out: a guest with no SMS is worse than one with two. */
  retryAmbiguous: boolean;
}

export function retryDelayMs(
  policy: RetryPolicy,
  failedAttempts: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    policy.backoffMaxMs,
    policy.backoffMs * 2 ** Math.max(0, failedAttempts - 1),
  );
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
