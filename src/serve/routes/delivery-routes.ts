import { EnqueueInterruptedError } from "../../producer";
import { apiError } from "../api-error-codes";
import { apiErrorBodySchema } from "../openapi";
import type { RoutePlugin } from "../route-plugin";
import { readDeliveryRequest } from "./delivery-request";
import {
  deliveryIdParamsSchema,
  deliveryRequestSchema,
  deliveryStateSchema,
  type EnqueuedDeliveries,
  enqueuedDeliveriesSchema,
} from "./delivery-schemas";
import { deliveryState } from "./delivery-state";

/** `POST /v1/deliveries` (enqueue guests) and `GET /v1/deliveries/{id}` (where one stands). */
export const deliveryRoutes: RoutePlugin = async (app, deps) => {
  app.post(
    "/v1/deliveries",
    {
      config: { scope: "deliveries:write" },
      schema: {
        summary: "Enqueue the SMS of one guest, or of up to 1,000",
        description:
          "All or nothing: one invalid guest refuses the request (422, each problem by guest index) and nothing is enqueued. The courier sets each job's submitted_by to the API key's id. The password is sealed at rest when JOB_ENCRYPTION_KEYS is set, and never returned.",
        tags: ["deliveries"],
        body: deliveryRequestSchema,
        response: { 202: enqueuedDeliveriesSchema, 422: apiErrorBodySchema },
      },
      // The handler validates each guest itself, to answer with each problem's guest index; the
      // schema above documents the body (OpenAPI) without Fastify refusing it first.
      validatorCompiler: () => (data) => ({ value: data }),
    },
    async (request, reply) => {
      const submittedBy = request.apiKey?.id;
      if (!submittedBy) throw new Error("POST /v1/deliveries ran without an authenticated key");
      const read = readDeliveryRequest(request.body as unknown, submittedBy);
      if (!read.ok) throw read.error;
      let accepted: { index?: number; jobId: string; duplicate: boolean }[];
      try {
        // One chunk: the whole request is one Redis transaction, written whole or not at all.
        ({ accepted } = await deps.producer.enqueueMany(read.jobs, {
          chunkSize: read.jobs.length,
        }));
      } catch (error) {
        throw error instanceof EnqueueInterruptedError && error.items.accepted.length > 0
          ? partlyEnqueued(error)
          : error;
      }
      const answer: EnqueuedDeliveries = {
        deliveries: accepted.map(({ index = 0, jobId, duplicate }) => ({
          jobId,
          pid: read.jobs[index]?.pid ?? "",
          duplicate,
        })),
      };
      return reply.code(202).send(answer);
    },
  );

  app.get(
    "/v1/deliveries/:id",
    {
      config: { scope: "deliveries:read" },
      schema: {
        summary: "Where a delivery stands",
        description:
          "The job's state while the queue holds it (waiting, delayed, active, failed with its outcome code), then the delivery history's record. Never the password.",
        tags: ["deliveries"],
        params: deliveryIdParamsSchema,
        response: { 200: deliveryStateSchema, 404: apiErrorBodySchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const job = await deps.queue.getJob(id);
      const state = job ? await job.getState() : undefined;
      const finished = !job || state === "completed" || state === "failed" || state === "unknown";
      const record = finished ? await deps.readDeliveryRecord(id) : undefined;
      const view = deliveryState(id, job && state ? { job, state } : undefined, record);
      if (!view)
        throw apiError("DELIVERY_NOT_FOUND", "no delivery has this id (or it is long gone)");
      return view;
    },
  );
};

/**
 * Redis refused part of the one transaction (out of memory): the guests it wrote are enqueued.
 * Sending the same request again is safe: those come back as duplicates.
 */
function partlyEnqueued(error: EnqueueInterruptedError) {
  return apiError(
    error.code,
    `Redis refused part of the request: ${error.items.accepted.length} guests were enqueued; send the same request again once Redis recovers (those come back as duplicates)`,
    { enqueued: error.items.accepted.map(({ index, jobId }) => ({ index, jobId })) },
  );
}
