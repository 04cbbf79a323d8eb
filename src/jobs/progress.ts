import type { Job } from "bullmq";

/**
 * What the worker remembers of a job's failed attempts. It lives in the job's `progress`, not its
 * data (the producer's contract) nor `attemptsMade` (BullMQ counts pauses for a throttled or
 * unavailable appliance there too, and those must not use up an attempt).
 */
export interface DeliveryProgress {
  deliveryAttempts: number;
  lastCode: string;
  lastReason: string;
}

export function failedAttempts(job: Pick<Job, "progress">): number {
  const progress = job.progress as
    | Partial<DeliveryProgress>
    | number
    | string
    | boolean
    | undefined;
  if (typeof progress !== "object" || progress === null) return 0;
  return typeof progress.deliveryAttempts === "number" ? progress.deliveryAttempts : 0;
}
