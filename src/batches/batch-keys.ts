/**
 * Where a queue's batch bookkeeping lives in Redis. A batch is one import (or any set of jobs a
 * producer tags with the same `batch_id`). Its counters outlive the jobs: delivered jobs are
 * removed at once and failed ones after FAILED_JOB_RETENTION, yet `status` must still add up.
 *
 * - `<prefix>:<queue>:batch:<id>`  hash {createdAt, plain?}; a batch written by an older version
 *   also holds the job counts it kept then, {total, delivered, failed} (batch-status.ts)
 * - `<prefix>:<queue>:batch:<id>:deliveries:<set>`  sets of guests (pids) of the batch's
 *   deliveries: `guests` enqueued (or, for a plain producer's jobs, taken by a worker), and by
 *   the latest outcome of each guest's delivery, `delivered`, `failed` and `cancelled`. A batch is
 *   a set of guests: a corrected row for the same pid replaces the earlier one rather than adding
 *   to it.
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
  deliveries(id: string, set: DeliverySet): string;
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
    deliveries: (id, set) => `${base}:batch:${id}${deliverySetSuffix(set)}`,
    held: (id) => `${base}:batch:${id}:held`,
    control: `${base}:batch-control`,
    batches: `${base}:batches`,
    totals: `${base}:totals`,
  };
}

/** A batch's sets of guests, by where their delivery stands. */
export type DeliverySet = "guests" | "delivered" | "failed" | "cancelled";

/** What follows `batch(id)` in the key of one of its delivery sets: for scripts given a batch's key. */
export function deliverySetSuffix(set: DeliverySet): string {
  return `:deliveries:${set}`;
}
