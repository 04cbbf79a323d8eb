import { isStoredBatchId } from "./batch-id-rule";

/**
 * Jobs of a batch carry its id at the front of their job id, so that counting a batch's active
 * or scheduled jobs reads ids only, never each job's data. `~` cannot occur in a batch id
 * (src/jobs/batch-id-rule.ts).
 */
export const BATCH_JOB_ID_SEPARATOR = "~";

export function batchJobId(batchId: string | undefined, unique: string): string {
  return batchId ? `${batchId}${BATCH_JOB_ID_SEPARATOR}${unique}` : unique;
}

export function batchOfJobId(jobId: string): string | undefined {
  const at = jobId.indexOf(BATCH_JOB_ID_SEPARATOR);
  return at > 0 ? jobId.slice(0, at) : undefined;
}

/**
 * The batch a job belongs to: its data says, or else its id (a job whose data was invalid, or
 * that a plain producer tagged only through the id).
 */
export function batchOfJob(job: { id?: string | undefined; data?: unknown }): string | undefined {
  const fromData = (job.data as { batch_id?: unknown } | undefined)?.batch_id;
  if (typeof fromData === "string" && isStoredBatchId(fromData)) return fromData;
  return job.id ? batchOfJobId(job.id) : undefined;
}

/** What follows the batch id in an onboarding job's id: such jobs are not deliveries. */
export const ACCOUNTS_JOB_ID_MARK = "accounts-";

export function isAccountsJobId(jobId: string): boolean {
  const at = jobId.indexOf(BATCH_JOB_ID_SEPARATOR);
  return jobId.startsWith(ACCOUNTS_JOB_ID_MARK, at + 1);
}
