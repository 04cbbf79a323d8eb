import type { Job, JobState } from "bullmq";
import type { DeliveryRecord } from "../../history/delivery-record";
import { isAccountsJobId } from "../../jobs/job-id";
import { type DeliveryProgress, failedAttempts } from "../../jobs/progress";
import { reasonParts } from "../../outcome";
import type { DeliveryState } from "./delivery-schemas";

/**
 * Where a delivery stands, from what BullMQ holds of its job and, once it is finished, the
 * delivery history's record. Built field by field from the job's data, never from the data as a
 * whole: the password is never copied into it. Undefined when neither knows the id, or it is not
 * a delivery (an onboarding job's id).
 */
export function deliveryState(
  jobId: string,
  job: { job: Job; state: JobState | "unknown" } | undefined,
  record: DeliveryRecord | undefined,
): DeliveryState | undefined {
  if (isAccountsJobId(jobId)) return undefined;
  const state = job && job.state !== "unknown" ? fromBullmq(job.state) : undefined;
  if (!job || !state) return record ? fromRecord(record) : undefined;
  const data = (job.job.data ?? {}) as Record<string, unknown>;
  const failed = failedAttempts(job.job);
  const view: DeliveryState = {
    jobId,
    state,
    ...text("pid", data.pid),
    ...text("batchId", data.batch_id),
    ...text("reference", data.reference),
    ...text("submittedBy", data.submitted_by),
    attempts: state === "failed" ? failed + 1 : failed,
    enqueuedAt: new Date(job.job.timestamp).toISOString(),
  };
  const failure = state === "failed" ? failureOf(job.job.failedReason) : lastFailure(job.job);
  if (failure) view.failure = failure;
  if (record) view.record = record;
  return view;
}

function fromBullmq(state: JobState): DeliveryState["state"] {
  switch (state) {
    case "completed":
      return "delivered";
    case "failed":
    case "delayed":
    case "active":
    case "waiting":
      return state;
    // Waiting still, in BullMQ's other queues of waiting jobs.
    case "prioritized":
    case "waiting-children":
      return "waiting";
  }
}

function fromRecord(record: DeliveryRecord): DeliveryState {
  return {
    jobId: record.jobId,
    state: record.outcome,
    pid: record.pid,
    ...text("batchId", record.batchId),
    ...text("reference", record.reference),
    ...text("submittedBy", record.submittedBy),
    attempts: record.attempts,
    enqueuedAt: record.enqueuedAt,
    ...(record.outcome === "failed"
      ? {
          failure: {
            ...text("code", record.code),
            message: record.applianceMessage ?? record.code ?? "failed",
          },
        }
      : {}),
    record,
  };
}

function failureOf(reason: string | undefined): DeliveryState["failure"] {
  if (!reason) return undefined;
  const { code, message } = reasonParts(reason);
  return { ...text("code", code), message };
}

function lastFailure(job: Job): DeliveryState["failure"] {
  const progress = job.progress as Partial<DeliveryProgress> | undefined;
  if (typeof progress !== "object" || progress === null) return undefined;
  if (typeof progress.lastReason !== "string") return undefined;
  return failureOf(progress.lastReason);
}

/** `{[name]: value}` when value is a string, else nothing: job data comes from any producer. */
function text<K extends string>(name: K, value: unknown): { [P in K]?: string } {
  return typeof value === "string" ? ({ [name]: value } as { [P in K]?: string }) : {};
}
