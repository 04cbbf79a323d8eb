/**
 * Where a queue's batch bookkeeping lives in Redis. A batch is one import (or any set of jobs a
 * producer tags with the same `batch_id`). Its counters outlive the jobs: delivered jobs are
 * removed at once and failed ones after FAILED_JOB_RETENTION, yet `status` must still add up.
 *
 * - `<prefix>:<queue>:batch:<id>`  hash {total, delivered, failed, cancelled, createdAt}
 * - `<prefix>:<queue>:batch:<id>:accounts:<set>`  sets of the pids of an onboarded batch's guests:
 *   registered, and by what became of their account (created, reset, existing, refused)
 * - `<prefix>:<queue>:batch:<id>:held`  set of the ids of a paused batch's jobs the workers held back
 * - `<prefix>:<queue>:batch-control`  hash {batch id: "paused" | "cancelled"}: what the workers
 *   do with a batch's jobs (src/batches/batch-control.ts)
 * - `<prefix>:<queue>:batches`     sorted set of batch ids by creation time
 * - `<prefix>:<queue>:totals`      hash {delivered, failed, cancelled} for the whole queue
 */
export interface BatchKeys {
  batch(id: string): string;
  accounts(id: string, outcome: string): string;
  held(id: string): string;
  control: string;
  batches: string;
  totals: string;
}

export function batchKeys(keyPrefix: string, queueName: string): BatchKeys {
  const base = `${keyPrefix}:${queueName}`;
  return {
    batch: (id) => `${base}:batch:${id}`,
    accounts: (id, outcome) => `${base}:batch:${id}:accounts:${outcome}`,
    held: (id) => `${base}:batch:${id}:held`,
    control: `${base}:batch-control`,
    batches: `${base}:batches`,
    totals: `${base}:totals`,
  };
}
