import { DelayedError, type Job } from "bullmq";
import type { JobSecrets } from "../jobs/job-password";
import type { Logger } from "../logging/logger";
import { failureReason } from "../outcome";

/** How long a job sealed under a key this worker lacks waits before a worker looks at it again. */
export const MISSING_KEY_WAIT_MS = 30_000;

/** What a worker does with a job whose secrets are sealed under a key it lacks, whatever the job. */
export function createMissingKeyWait(secrets: JobSecrets) {
  const missingKeysReported = new Set<string>();
  /**
   * Not a failure: another worker, or this one restarted with the right ring, can deliver it.
   * One error line per key id and process says what is missing.
   */
  return async function waitForKey(
    job: Job,
    lockToken: string | undefined,
    keyId: string,
    log: () => Logger,
  ): Promise<never> {
    if (!missingKeysReported.has(keyId)) {
      missingKeysReported.add(keyId);
      const message = secrets.ring
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
  };
}
