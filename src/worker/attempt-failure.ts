import { DelayedError, type Job, RateLimitError } from "bullmq";
import type { DeliveryProgress } from "../jobs/progress";
import type { Logger } from "../logging/logger";
import { plural } from "../logging/plural";
import { type Failure, failureReason } from "../outcome";
import { GaveUpError } from "../outcome/gave-up-error";
import { backoffDelayMs } from "../outcome/retry-backoff";
import type { FleetPause } from "./fleet-pause";
import type { RetryPolicy } from "./retry-policy";

/** The attempt being made: its job, BullMQ's lock on it, its number (1 for the first) and its logger. */
export interface CurrentAttempt {
  job: Job;
  /** The guest's pid (or the first of a group): what tells one guest's failure from the next when the cause is the same. */
  guest: string;
  lockToken: string | undefined;
  attempt: number;
  log: Logger;
  /**
   * Whether an attempt whose outcome is unknown is tried again. Deliveries follow
   * DELIVERY_RETRY_AMBIGUOUS; account creation always retries, since its retry is safe.
   */
  retryAmbiguous: boolean;
  /** What a failure is about in log lines: "the SMS may have been sent" for a delivery. */
  ambiguousMeans: string;
}

export interface AttemptFailureDeps {
  pause: Pick<FleetPause, "throttle" | "unavailable">;
  policy: RetryPolicy;
}

/**
 * What each class of failure means for the job, for every kind of job the worker runs
 * (README, "What the worker does with each outcome"). Throws BullMQ's control-flow errors:
 * UnrecoverableError (GaveUpError) fails the job now, DelayedError after `moveToDelayed` schedules a retry,
 * RateLimitError puts the job back to waiting, unspent, behind a fleet-wide pause.
 */
export function createFailureHandler(deps: AttemptFailureDeps) {
  const counters = { ambiguous: 0 };

  async function handleFailure(current: CurrentAttempt, failure: Failure): Promise<never> {
    const { attempt, log } = current;
    const reason = failureReason(failure);
    const failureClass = failure.failureClass;
    switch (failureClass) {
      case "permanent":
        log.warn({ outcome: "rejected", code: failure.code, attempt }, reason);
        throw new GaveUpError(failure);
      case "throttled":
        log.debug({ outcome: "throttled", code: failure.code }, reason);
        await deps.pause.throttle(failure.retryAfterMs ?? 1_000);
        throw new RateLimitError();
      case "systemic":
      case "unreachable":
      case "token_rejected": // a freshly fetched token rejected again: not something a retry fixes
        log.debug({ outcome: "paused", code: failure.code }, reason);
        await deps.pause.unavailable({ ...failure, pid: current.guest }, failure.retryAfterMs ?? 0);
        throw new RateLimitError();
      case "ambiguous":
        counters.ambiguous++;
        log.warn(
          { outcome: "ambiguous", code: failure.code, attempt, ambiguousSoFar: counters.ambiguous },
          `${current.ambiguousMeans}: ${reason}`,
        );
        if (!current.retryAmbiguous) {
          throw new GaveUpError(failure, "not retried: DELIVERY_RETRY_AMBIGUOUS=false");
        }
        return retryLater(current, failure);
      case "retryable":
        return retryLater(current, failure);
      default:
        return unhandled(failureClass);
    }
  }

  async function retryLater(current: CurrentAttempt, failure: Failure): Promise<never> {
    const { job, lockToken, attempt, log } = current;
    const reason = failureReason(failure);
    if (attempt >= deps.policy.attempts) {
      log.error(
        { outcome: "failed", code: failure.code, attempt },
        `giving up after ${plural(attempt, "attempt")}: ${reason}`,
      );
      throw new GaveUpError(failure, `gave up after ${plural(attempt, "attempt")}`);
    }
    const delayMs = backoffDelayMs(deps.policy, attempt);
    log.info(
      { outcome: "retry", code: failure.code, attempt, delayMs },
      `attempt ${attempt} failed, retrying: ${reason}`,
    );
    const progress: DeliveryProgress = {
      deliveryAttempts: attempt,
      lastCode: failure.code,
      lastReason: reason,
    };
    await job.updateProgress(progress);
    await job.moveToDelayed(Date.now() + delayMs, lockToken);
    throw new DelayedError();
  }

  return { handleFailure, retryLater };
}

/** The compiler proves every failure class is handled above; this is never reached. */
function unhandled(failureClass: never): never {
  throw new Error(`no handling for failure class ${String(failureClass)}`);
}
