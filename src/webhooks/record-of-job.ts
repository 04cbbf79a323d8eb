import type { Job } from "bullmq";
import type { DeliveryRecord } from "../history/delivery-record";
import { failedAttempts } from "../jobs/progress";
import { reasonCode } from "../outcome";

/**
 * A finished delivery job as the worker's events see it: BullMQ's Job has these fields.
 * `returnvalue` is the processor's result once delivered.
 */
export interface FinishedJob {
  id?: string | undefined;
  data: unknown;
  timestamp: number;
  finishedOn?: number | undefined;
  failedReason?: string;
  progress?: Job["progress"];
}

/** What the processor returns for a delivered job (src/worker/processor.ts, DeliveryResult). */
interface DeliveredResult {
  status?: unknown;
  message?: unknown;
  attempts?: unknown;
}

/**
 * The DeliveryRecord of a delivery job that finished for good: a minimal stand-in for the history
 * module's builder (src/history/record-of-job.ts), which replaces it once merged. Reads only the
 * fields it names, so the job's password (sealed or not) can never reach the record.
 */
export function recordOfFinishedJob(
  job: FinishedJob,
  outcome: "delivered" | "failed",
  result?: unknown,
): DeliveryRecord {
  const data = (typeof job.data === "object" && job.data !== null ? job.data : {}) as Record<
    string,
    unknown
  >;
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const delivered = (result ?? {}) as DeliveredResult;
  return {
    jobId: job.id ?? "",
    pid: text(data.pid) ?? "",
    batchId: text(data.batch_id),
    reference: text(data.reference),
    outcome,
    // A reason BullMQ wrote itself (a job that stalled too often) has no code.
    code: outcome === "failed" ? reasonCode(job.failedReason ?? "") : undefined,
    attempts:
      outcome === "delivered" && typeof delivered.attempts === "number"
        ? delivered.attempts
        : failedAttempts({ progress: job.progress ?? 0 }) + 1,
    // Absent fields (undefined) are left out of the JSON POSTed.
    enqueuedAt: new Date(job.timestamp).toISOString(),
    finishedAt: new Date(job.finishedOn ?? Date.now()).toISOString(),
    applianceStatus:
      outcome === "delivered" && typeof delivered.status === "number"
        ? delivered.status
        : undefined,
    applianceMessage: outcome === "delivered" ? text(delivered.message) : undefined,
    submittedBy: text(data.submitted_by),
  };
}
