import { randomUUID } from "node:crypto";
import type { JobsOptions } from "bullmq";
import { duplicateKey } from "../jobs/duplicate-key";
import { batchJobId } from "../jobs/job-id";
import { sealJobPassword } from "../jobs/job-password";
import { DELIVERY_JOB_NAME, type DeliveryJob } from "../jobs/job-schema";
import type { KeyRing } from "../secrets";
import { delayUntil, type EnqueueOptions } from "./enqueue-options";

/** What every job of one producer shares. */
export interface ProducerPolicy {
  duplicateWindowMs: number;
  duplicateKeySecret: string;
  failedRetentionMs: number;
  /** Seals each password under the active key; absent, passwords are stored in plaintext. */
  keyRing: KeyRing | undefined;
}

/** One job as `Queue.add` / `Queue.addBulk` take it, with the id we proposed for it. */
export interface DeliveryJobEntry {
  name: string;
  data: DeliveryJob;
  opts: JobsOptions & { jobId: string };
}

/**
 * The BullMQ job for one delivery. No `attempts` or `backoff`: the worker owns the retry policy,
 * so a plain `Queue.add` with default options is as good a producer as this one.
 */
export function deliveryJobEntry(
  job: DeliveryJob,
  options: EnqueueOptions,
  policy: ProducerPolicy,
  now: number,
): DeliveryJobEntry {
  const opts: DeliveryJobEntry["opts"] = {
    // A fresh id rather than BullMQ's counter: when deduplication keeps an earlier job, BullMQ
    // answers with that job's id, and a different id is how we tell.
    // The batch id leads, so a batch's active and scheduled jobs are counted from ids alone.
    jobId: batchJobId(job.batch_id, randomUUID()),
    // The guest's password, sealed or not, has no reason to stay in Redis once delivered.
    removeOnComplete: true,
    removeOnFail: { age: Math.ceil(policy.failedRetentionMs / 1000) },
  };
  if (options.priority !== undefined) opts.priority = options.priority;
  const delay = options.sendAt ? delayUntil(options.sendAt, now) : 0;
  if (options.sendAt) opts.delay = delay;
  if (!options.resend) {
    opts.deduplication = {
      // A keyed hash: the key outlives the job, and must not give the password away.
      id: duplicateKey(policy.duplicateKeySecret, job),
      // BullMQ's throttle mode: the same id within ttl is ignored, whether the first job waits or
      // is already done. The window counts from the time the first SMS is due, not from now,
      // so that a delivery scheduled past the window is still protected until it goes out.
      ttl: policy.duplicateWindowMs + delay,
    };
  }
  // The duplicate key above is computed on the plaintext, so sealing (random IV) does not defeat it.
  return { name: DELIVERY_JOB_NAME, data: sealJobPassword(job, policy.keyRing), opts };
}
