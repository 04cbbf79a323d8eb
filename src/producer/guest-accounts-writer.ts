import { randomUUID } from "node:crypto";
import { Job, type Queue } from "bullmq";
import { REGISTERED } from "../batches/account-counts";
import type { BatchKeys } from "../batches/batch-keys";
import { REGISTER_GUESTS } from "../batches/batch-registry";
import {
  GUEST_ACCOUNTS_JOB_NAME,
  type GuestAccountsJob,
  sealAccountPasswords,
} from "../jobs/guest-accounts-job";
import { ACCOUNTS_JOB_ID_MARK, batchJobId } from "../jobs/job-id";
import { type AnswerDeadline, answerWithin } from "../redis/answer-within";
import { execWithScripts } from "../redis/script-transaction";
import type { KeyRing } from "../secrets";

export interface GuestAccountsWriteOptions {
  keys: BatchKeys;
  keyRing: KeyRing | undefined;
  failedRetentionMs: number;
  /**
   * BullMQ priority of the onboarding jobs: after the SMS of guests already created
   * (ONBOARDING_DELIVERY_PRIORITY), so that those go out while the rest are being created.
   */
  priority: number;
  deadline?: AnswerDeadline;
}

/**
 * Writes onboarding jobs of one batch in one MULTI, with the batch's registered guests
 * (REGISTER_GUESTS): whole or not at all. Returns the job ids written.
 */
export async function writeGuestAccounts(
  queue: Queue,
  jobs: readonly GuestAccountsJob[],
  options: GuestAccountsWriteOptions,
): Promise<string[]> {
  const [first] = jobs;
  if (!first) return [];
  const client = await answerWithin(queue.getBackend().client, options.deadline);
  const entries = jobs.map((job) => {
    if (job.batch_id !== first.batch_id) throw new RangeError("one batch per write");
    const jobId = batchJobId(job.batch_id, `${ACCOUNTS_JOB_ID_MARK}${randomUUID()}`);
    const opts = {
      ...queue.jobsOpts,
      jobId,
      priority: options.priority,
      // Its answer holds the guests' passwords: no reason to keep it once their SMS are enqueued.
      removeOnComplete: true,
      removeOnFail: { age: Math.ceil(options.failedRetentionMs / 1_000) },
    };
    return { jobId, opts, data: sealAccountPasswords(job, options.keyRing) };
  });
  const ids = entries.map(({ jobId }) => jobId);
  const registration = [
    REGISTER_GUESTS,
    3,
    options.keys.batch(first.batch_id),
    options.keys.batches,
    options.keys.accounts(first.batch_id, REGISTERED),
    String(Date.now()),
    queue.toKey(""),
    first.batch_id,
    ...jobs.flatMap((job, i) => [
      ids[i] as string,
      String(job.guests.length),
      ...job.guests.map((guest) => guest.pid),
    ]),
  ];
  // A write after one Redis discarded runs again with BullMQ's scripts loaded (execWithScripts).
  const write = execWithScripts(client, (transaction) => {
    for (const { jobId, opts, data } of entries) {
      new Job(queue, GUEST_ACCOUNTS_JOB_NAME, data, opts, jobId)
        .addJob(transaction)
        .catch(() => undefined);
    }
    transaction.runCommand("eval", registration);
  });
  const replies = await answerWithin(write, options.deadline);
  if (!replies) throw new Error("Redis discarded the transaction");
  for (const [error] of replies) if (error) throw error;
  return ids;
}
