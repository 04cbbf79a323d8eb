import { type Job, UnrecoverableError } from "bullmq";
import type { Delivered, SendUserCredentialsArgs } from "../axelnac";
import { type JobSecrets, readStoredJob } from "../jobs/job-password";
import { failedAttempts } from "../jobs/progress";
import type { Logger } from "../logging/logger";
import { failureReason, toFailure } from "../outcome";
import { callWithToken } from "../token";
import type { TokenManager } from "../token/token-manager";
import { createFailureHandler } from "./attempt-failure";
import type { FleetPause } from "./fleet-pause";
import { createMissingKeyWait } from "./missing-key";
import type { RetryPolicy } from "./retry-policy";

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

/**
 * The BullMQ processor: one delivery attempt, and what each outcome of the AxelNAC client means
 * for the job (README, "What the worker does with each outcome"). Throws BullMQ's control-flow errors:
 * UnrecoverableError fails the job now, DelayedError after `moveToDelayed` schedules a retry,
 * RateLimitError puts the job back to waiting, unspent, behind a fleet-wide pause.
 */
export function createDeliveryProcessor(deps: DeliveryDeps) {
  const { handleFailure } = createFailureHandler(deps);
  const waitForKey = createMissingKeyWait(deps.secrets);

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
      return handleFailure(
        {
          job,
          guest,
          lockToken,
          attempt,
          log: log(),
          retryAmbiguous: deps.policy.retryAmbiguous,
          ambiguousMeans: "the SMS may have been sent",
        },
        toFailure(error),
      );
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
}

/** Jobs no attempt can deliver, by what is wrong with them. */
const UNREADABLE_JOB_CODES = {
  invalid: "COURIER_INVALID_JOB",
  unauthentic: "COURIER_CIPHERTEXT_INVALID",
  "plaintext-refused": "COURIER_PLAINTEXT_REFUSED",
} as const;

/** pino's child() costs more than the rest of a delivery's logging: made only when a line is written. */
export function lazyChild(logger: Logger, bindings: Record<string, unknown>): () => Logger {
  let child: Logger | undefined;
  return () => {
    child ??= logger.child(bindings);
    return child;
  };
}
