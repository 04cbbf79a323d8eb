/**
 * How long a retryable failure waits before its next attempt: the deliveries (the worker's retry
 * policy) and the outcome webhooks' POSTs back off alike, each with its own settings.
 *
 * Delay before attempt n+1, after n failed attempts: exponential with "equal jitter", capped:
 *   d = min(backoffMax, backoff × 2^(n−1));  delay = d/2 + random × d/2
 * With the deliveries' defaults (5 s, cap 10 min): 2.5–5 s, 5–10 s, 10–20 s, 20–40 s … 5–10 min.
 * The jitter spreads out retries of jobs that failed together.
 */
export interface Backoff {
  backoffMs: number;
  backoffMaxMs: number;
}

export function backoffDelayMs(
  backoff: Backoff,
  failedAttempts: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    backoff.backoffMaxMs,
    backoff.backoffMs * 2 ** Math.max(0, failedAttempts - 1),
  );
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
