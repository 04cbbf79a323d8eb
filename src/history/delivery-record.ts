import { z } from "zod";

/**
 * What became of one delivery job, kept after the job itself is gone (a delivered job is removed
 * at once, a failed one after FAILED_JOB_RETENTION) for HISTORY_RETENTION. The `history` and
 * `report` commands, `GET /v1/deliveries/{id}` and the outcome webhooks all read this one shape.
 * It never holds a password, sealed or not.
 */
export const deliveryRecordSchema = z.object({
  jobId: z.string(),
  pid: z.string(),
  batchId: z.string().optional(),
  reference: z.string().optional(),
  /** delivered: the appliance accepted the SMS; failed: for good; cancelled: its batch was. */
  outcome: z.enum(["delivered", "failed", "cancelled"]),
  /** The outcome code of a failure (src/outcome/codes.ts); absent when delivered or cancelled. */
  code: z.string().optional(),
  /**
   * What the courier said of a failure: its reason without the code, as `failed list` shows it
   * (at most 600 characters). Absent when delivered or cancelled.
   */
  message: z.string().optional(),
  /** Attempts made, the last included. */
  attempts: z.number().int().min(0),
  /** When the job was added, and when it was accepted, failed for good or dropped (ISO 8601). */
  enqueuedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  /**
   * The appliance's HTTP status and message of the last attempt, when it answered one (the
   * message at most 300 characters).
   */
  applianceStatus: z.number().int().optional(),
  applianceMessage: z.string().optional(),
  /** The id of the HTTP API key that added the job (`serve`), if one did. */
  submittedBy: z.string().optional(),
});

export type DeliveryRecord = z.output<typeof deliveryRecordSchema>;
export type DeliveryOutcome = DeliveryRecord["outcome"];
