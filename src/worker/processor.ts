import { DelayedError, type Job, RateLimitError, UnrecoverableError } from "bullmq";
import type { Delivered, SendUserCredentialsArgs } from "../axelnac";
import { type JobSecrets, readStoredJob } from "../jobs/job-password";
import { type DeliveryProgress, failedAttempts } from "../jobs/progress";
import type { Logger } from "../logging/logger";
import { type Failure, failureReason, toFailure } from "../outcome";
import { callWithToken } from "../token";
import type { TokenManager } from "../token/token-manager";
import type { FleetPause } from "./fleet-pause";
import { type RetryPolicy, retryDelayMs } from "./retry-policy";

export interface DeliveryResult {
  status: number;
  message: string;
  attempts: number;
}

/** What the processor needs, passed in so it never builds a client, a token source or a queue. */
export interface DeliveryDeps {
  send: (args: SendUserCredentialsArgs, token: string) => Promise<Delivered>;
  tokens: Pick<TokenManager, "getToken" | "invalidate">;
  pause: Pick<FleetPause, "throttle" | "unavailable" | "deliverySucceeded">;
  policy: RetryPolicy;
  /** The key ring that opens sealed passwords, and whether plaintext ones are refused. */
  secrets: JobSecrets;
  logger: Logger;
}

/** How long a job sealed under a key this worker lacks waits before a worker looks at it again. */
export const MISSING_KEY_WAIT_MS = 30_000;

/**
 * The BullMQ processor: one delivery attempt, and what each outcome of the AxelNAC client means
 * for the job (README, "What the worker does with each outcome"). Throws BullMQ's control-flow errors:
 * UnrecoverableError fails the job now, DelayedError after `moveToDelayed` schedules a retry,
 * RateLimitError puts the job back to waiting, unspent, behind a fleet-wide pause.
 */
export function createDeliveryProcessor(deps: DeliveryDeps) {
  const counters = { ambiguous: 0 };
  const missingKeysReported = new Set<string>();

  return async function deliver(job: Job, lockToken?: string): Promise<DeliveryResult> {
    const reading = readStoredJob(job.data, deps.secrets);
    const pid = typeof job.data?.pid === "string" ? job.data.pid : undefined;
    const log = lazyChild(deps.logger, { jobId: job.id, pid });
    if (!reading.ok) {
      if (reading.problem === "unknown-key") {
        return waitForKey(job, lockToken, reading.keyId, log);
      }
      const code = UNREADABLE_JOB_CODES[reading.problem];
      const reason = failureReason({ code, message: reading.reason });
      log().error({ outcome: "invalid", code }, reason);
      throw new UnrecoverableError(reason);
    }
    const { pid: guest, password, source_id } = reading.job;
    const attempt = failedAttempts(job) + 1;

    let delivered: Delivered;
    try {
      delivered = await callWithToken(deps.tokens, (token) =>
        deps.send({ pid: guest, password, source_id }, token),
      );
    } catch (error) {
      return handleFailure({ job, guest, lockToken, attempt, log: log() }, toFailure(error));
    }
    if (deps.logger.isLevelEnabled("info")) {
      log().info(
        { outcome: "delivered", status: delivered.status, attempt },
        "credentials accepted by AxelNAC",
      );
    }
    await deps.pause.deliverySucceeded();
    return { status: delivered.status, message: delivered.message, attempts: attempt };
  };

  /**
   * Not a failure: another worker, or this one restarted with the right ring, can deliver it.
   * One error line per key id and process says what is missing.
   */
  async function waitForKey(
    job: Job,
    lockToken: string | undefined,
    keyId: string,
    log: () => Logger,
  ): Promise<never> {
    if (!missingKeysReported.has(keyId)) {
      missingKeysReported.add(keyId);
      const message = deps.secrets.ring
        ? `a job's password is sealed under key ${keyId}, which this worker's JOB_ENCRYPTION_KEYS lacks`
        : `a job's password is sealed under key ${keyId}, and this worker has no JOB_ENCRYPTION_KEYS`;
      log().error(
        { outcome: "waiting", code: "COURIER_ENCRYPTION_KEY_MISSING", keyId },
        failureReason(
          { code: "COURIER_ENCRYPTION_KEY_MISSING", message },
          "such jobs wait for a worker that has the key",
        ),
      );
    }
    await job.moveToDelayed(Date.now() + MISSING_KEY_WAIT_MS, lockToken);
    throw new DelayedError();
  }

  async function handleFailure(current: CurrentAttempt, failure: Failure): Promise<never> {
    const { attempt, log } = current;
    const reason = failureReason(failure);
    const failureClass = failure.failureClass;
    switch (failureClass) {
      case "permanent":
        log.warn({ outcome: "rejected", code: failure.code, attempt }, reason);
        throw new UnrecoverableError(reason);
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
          `the SMS may have been sent: ${reason}`,
        );
        if (!deps.policy.retryAmbiguous) {
          throw new UnrecoverableError(
            failureReason(failure, "not retried: DELIVERY_RETRY_AMBIGUOUS=false"),
          );
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
        `giving up after ${attempt} attempts: ${reason}`,
      );
      throw new UnrecoverableError(failureReason(failure, `gave up after ${attempt} attempts`));
    }
    const delayMs = retryDelayMs(deps.policy, attempt);
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
}

/** Jobs no attempt can deliver, by what is wrong with them. */
const UNREADABLE_JOB_CODES = {
  invalid: "COURIER_INVALID_JOB",
  unauthentic: "COURIER_CIPHERTEXT_INVALID",
  "plaintext-refused": "COURIER_PLAINTEXT_REFUSED",
} as const;

/** The attempt being made: its job, BullMQ's lock on it, its number (1 for the first) and its logger. */
interface CurrentAttempt {
  job: Job;
  /** The guest's pid: what tells one guest's failure from the next when the cause is the same. */
  guest: string;
  lockToken: string | undefined;
  attempt: number;
  log: Logger;
}

/** The compiler proves every failure class is handled above; this is never reached. */
function unhandled(failureClass: never): never {
  throw new Error(`no handling for failure class ${String(failureClass)}`);
}

/** pino's child() costs more than the rest of a delivery's logging: made only when a line is written. */
function lazyChild(logger: Logger, bindings: Record<string, unknown>): () => Logger {
  let child: Logger | undefined;
  return () => {
    child ??= logger.child(bindings);
    return child;
  };
}
