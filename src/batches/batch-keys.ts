/**
 * Where a queue's batch bookkeeping lives in Redis. A batch is one import (or any set of jobs a
 * producer tags with the same `batch_id`). Its counters outlive the jobs: delivered jobs are
 * removed at once and failed ones after FAILED_JOB_RETENTION, yet `status` must still add up.
 *
 * - `<prefix>:<queue>:batch:<id>`  hash {total, delivered, failed, createdAt}
 * - `<prefix>:<queue>:batch:<id>:accounts:<set>`  sets of the pids of an onboarded batch's guests:
 *   registered, and by what became of their account (created, reset, existing, refused)
 * - `<prefix>:<queue>:batches`     sorted set of batch ids by creation time
 * - `<prefix>:<queue>:totals`      hash {delivered, failed} for the whole queue
 */
export interface BatchKeys {
  batch(id: string): string;
  accounts(id: string, outcome: string): string;
  batches: string;
  totals: string;
}

export function batchKeys(keyPrefix: string, queueName: string): BatchKeys {
  const base = `${keyPrefix}:${queueName}`;
  return {
    batch: (id) => `${base}:batch:${id}`,
    accounts: (id, outcome) => `${base}:batch:${id}:accounts:${outcome}`,
    batches: `${base}:batches`,
    totals: `${base}:totals`,
  };
}
