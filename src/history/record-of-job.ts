import type { Job } from "bullmq";
import { batchOfJob } from "../jobs/job-id";
import { failedAttempts } from "../jobs/progress";
import { reasonParts } from "../outcome";
import { GaveUpError } from "../outcome/gave-up-error";
import type { DeliveryRecord } from "./delivery-record";
import { lastConversion } from "./last-conversion";

/** The parts of a finished BullMQ job a record is made of: never its password. */
export type FinishedJob = Pick<
  Job,
  "id" | "data" | "timestamp" | "finishedOn" | "failedReason" | "progress"
>;

/** What the worker's processor answered of a delivered job (src/worker/processor.ts). */
export interface DeliveredAnswer {
  status: number;
  message: string;
  attempts: number;
}

/** How a delivery job finished for good, as the worker's "completed" and "failed" events say. */
export type JobFinish =
  | { outcome: "delivered"; result: DeliveredAnswer }
  /** `error`: what the "failed" event carried; a GaveUpError holds the appliance's last answer. */
  | { outcome: "failed"; error?: unknown }
  | { outcome: "cancelled" };

/** Longest pid, reference, batch id or API key id kept: the job contract's own limit. */
export const FIELD_LIMIT = 255;
/** Longest failure message kept: a code-less reason with an appliance's message in it. */
export const MESSAGE_LIMIT = 600;
/** Longest appliance message kept. */
export const APPLIANCE_MESSAGE_LIMIT = 300;

/**
 * The record of a delivery job that finished for good, built from the job and how it finished:
 * what the history keeps and the outcome webhooks send. Pure, and cheap enough for every job.
 * Text from the job or the appliance is cut to a bounded length (a job with invalid data may
 * hold anything), so a record stays small whatever it is made of.
 */
export function recordOfJob(
  job: FinishedJob,
  finish: JobFinish,
  now: number = Date.now(),
): DeliveryRecord {
  const data = (typeof job.data === "object" && job.data !== null ? job.data : {}) as Record<
    string,
    unknown
  >;
  // Built by assignment, not spreads: this runs for every delivery, on the worker's hot path.
  const record: DeliveryRecord = {
    jobId: job.id ?? "",
    pid: typeof data.pid === "string" ? bounded(data.pid, FIELD_LIMIT) : "",
    outcome: finish.outcome,
    attempts: 0,
    enqueuedAt: enqueuedIso(validTime(job.timestamp, now)),
    finishedAt: finishedIso(validTime(job.finishedOn, now)),
  };
  const batchId = batchOfJob(job);
  if (batchId !== undefined) record.batchId = batchId;
  const reference = boundedText(data.reference, FIELD_LIMIT);
  if (reference !== undefined) record.reference = reference;
  const submittedBy = boundedText(data.submitted_by, FIELD_LIMIT);
  if (submittedBy !== undefined) record.submittedBy = submittedBy;
  switch (finish.outcome) {
    case "delivered": {
      record.attempts = finish.result.attempts;
      record.applianceStatus = finish.result.status;
      const said = boundedText(finish.result.message, APPLIANCE_MESSAGE_LIMIT);
      if (said !== undefined) record.applianceMessage = said;
      return record;
    }
    case "cancelled":
      record.attempts = failedAttempts(job);
      return record;
    case "failed":
      addFailure(record, job, finish.error);
      return record;
  }
}

/**
 * A failure's code and message from the job's reason, as `failed list` reads them; the attempt
 * that failed the job comes on top of those the worker wrote down; the appliance's answer from
 * the error that ended the job, when it carries one.
 */
function addFailure(record: DeliveryRecord, job: FinishedJob, error: unknown): void {
  const reason = job.failedReason || (error instanceof Error ? error.message : "");
  const { code, message } = reasonParts(reason);
  record.attempts = failedAttempts(job) + 1;
  if (code !== undefined) record.code = code;
  const said = boundedText(message, MESSAGE_LIMIT);
  if (said !== undefined) record.message = said;
  const failure = error instanceof GaveUpError ? error.failure : undefined;
  if (failure?.status !== undefined) record.applianceStatus = failure.status;
  const applianceSaid = boundedText(failure?.applianceMessage, APPLIANCE_MESSAGE_LIMIT);
  if (applianceSaid !== undefined) record.applianceMessage = applianceSaid;
}

/** The text cut to `limit`, or undefined for an empty or absent one. */
function boundedText(value: unknown, limit: number): string | undefined {
  return typeof value === "string" && value !== "" ? bounded(value, limit) : undefined;
}

/** The text, or its first characters and an ellipsis, `limit` in all; a surrogate pair is never split. */
export function bounded(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let cut = limit - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

/** The largest time a Date holds (ECMAScript's ±8.64e15 ms from the epoch). */
const MAX_DATE_MS = 8.64e15;

/** A job's time, or now for one it lacks (or one no date can hold). */
function validTime(ms: number | undefined, now: number): number {
  return typeof ms === "number" && ms > 0 && ms <= MAX_DATE_MS ? ms : now;
}

const toIso = (ms: number) => new Date(ms).toISOString();
// One per field: enqueued and finished times alternate, and each repeats on its own.
const enqueuedIso = lastConversion(toIso);
const finishedIso = lastConversion(toIso);
