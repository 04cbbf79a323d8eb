import type { Queue } from "bullmq";
import type { BatchKeys } from "../batches/batch-keys";
import type { Config } from "../config/config";
import { type GuestAccountsJob, ONBOARDING_JOB_PRIORITY } from "../jobs/guest-accounts-job";
import { writeGuestAccounts } from "../producer/guest-accounts-writer";
import type { AnswerDeadline } from "../redis/answer-within";

export interface OnboardingTarget {
  queue: Queue;
  keys: BatchKeys;
  /** Passwords are sealed under JOB_ENCRYPTION_KEYS; failed jobs kept FAILED_RETENTION. */
  config: Pick<Config, "encryption" | "delivery">;
  deadline?: AnswerDeadline | undefined;
}

/**
 * How every onboarding writes its jobs, whoever asked for it (`onboard`, POST /v1/registrations):
 * after the SMS of guests already created, sealed and kept as the settings say.
 */
export function onboardingWrites(
  target: OnboardingTarget,
): (jobs: GuestAccountsJob[]) => Promise<void> {
  const { queue, keys, config, deadline } = target;
  return async (jobs) => {
    await writeGuestAccounts(queue, jobs, {
      keys,
      keyRing: config.encryption.ring,
      failedRetentionMs: config.delivery.failedRetentionMs,
      priority: ONBOARDING_JOB_PRIORITY,
      ...(deadline ? { deadline } : {}),
    });
  };
}
