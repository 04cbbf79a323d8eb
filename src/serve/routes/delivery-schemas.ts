import { z } from "zod";
import { deliveryRecordSchema } from "../../history/delivery-record";
import { deliveryJobSchema } from "../../jobs/job-schema";

/** Guests one `POST /v1/deliveries` may carry: one Redis transaction writes them all, or none. */
export const MAX_DELIVERIES_PER_REQUEST = 1_000;

/**
 * One guest as a client sends it: the job contract (src/jobs/job-schema.ts), less `submitted_by`,
 * which the courier sets to the API key's id (a client's own is refused).
 */
export const guestDeliverySchema = deliveryJobSchema.omit({ submitted_by: true });

export const deliveryRequestSchema = z.union([
  guestDeliverySchema,
  z.object({
    deliveries: z.array(guestDeliverySchema).min(1).max(MAX_DELIVERIES_PER_REQUEST),
  }),
]);

export const enqueuedDeliverySchema = z.object({
  jobId: z.string().describe("The job carrying the delivery: GET /v1/deliveries/{jobId}"),
  pid: z.string(),
  duplicate: z
    .boolean()
    .describe(
      "The same guest, source and password were enqueued within DUPLICATE_WINDOW: nothing new was written, and jobId is the earlier job's",
    ),
});

export const enqueuedDeliveriesSchema = z.object({
  deliveries: z.array(enqueuedDeliverySchema).describe("In the order of the request"),
});

export type EnqueuedDeliveries = z.output<typeof enqueuedDeliveriesSchema>;

export const DELIVERY_STATES = [
  "waiting",
  "delayed",
  "active",
  "delivered",
  "failed",
  "cancelled",
] as const;

export const deliveryStateSchema = z.object({
  jobId: z.string(),
  state: z
    .enum(DELIVERY_STATES)
    .describe(
      "waiting: queued; delayed: due later (scheduled, or retried after a failed attempt); active: being sent; delivered: the appliance accepted the SMS; failed: for good; cancelled: its batch was",
    ),
  pid: z.string().optional(),
  batchId: z.string().optional(),
  reference: z.string().optional(),
  submittedBy: z.string().optional().describe("The id of the API key that added the delivery"),
  attempts: z.number().int().min(0).describe("Attempts made and finished so far"),
  enqueuedAt: z.iso.datetime().optional(),
  failure: z
    .object({
      code: z.string().optional().describe("An outcome code: README, “Outcome codes”"),
      message: z.string(),
    })
    .optional()
    .describe("Why it failed (failed), or why its last attempt did (delayed, waiting)"),
  record: deliveryRecordSchema
    .optional()
    .describe("The delivery history's record, once the delivery is finished"),
});

export type DeliveryState = z.output<typeof deliveryStateSchema>;

export const deliveryIdParamsSchema = z.object({
  id: z.string().min(1).max(512).describe("A jobId that POST /v1/deliveries answered"),
});
