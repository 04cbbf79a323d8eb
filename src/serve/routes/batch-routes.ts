import type {} from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { readBatchState } from "../../batches/batch-control";
import { readBatchStatus, UnknownBatchError } from "../../batches/batch-status";
import { batchRefusesRetry, cancelledRetryMessage } from "../../batches/cancelled-retry";
import { retryFailed, selectFailedIds } from "../../batches/failed-jobs";
import { ApiError } from "../api-error";
import type { RoutePlugin } from "../route-plugin";
import type { ServeDeps } from "../serve-deps";
import { readFailedPage } from "./batch-failed-page";
import {
  apiErrorSchema,
  batchParams,
  batchStatus,
  failedPage,
  failedQuery,
  retryResult,
  uploadQuery,
  uploadResult,
} from "./batch-schemas";
import { importUpload } from "./batch-upload";
import { UPLOAD_LIMIT_BYTES } from "./batch-upload-body";
import { postCsvUpload } from "./csv-upload-route";

const TAGS = ["batches"];

/**
 * The batch routes of the HTTP API: a registration CSV uploaded as `import` reads a file, and a
 * batch's status, failed deliveries and their retry, as `status --batch` and `failed` give them.
 */
export const batchRoutes: RoutePlugin = batchRoutesLimitedTo(UPLOAD_LIMIT_BYTES);

/** The batch routes refusing a CSV body over `limitBytes` (a test sets a small limit). */
export function batchRoutesLimitedTo(limitBytes: number): RoutePlugin {
  return async (routes, deps) => {
    const { queue, redis, batchKeys: keys } = deps;
    await postCsvUpload(routes as unknown as FastifyInstance, {
      url: "/v1/batches",
      scope: "batches:write",
      summary: "Import a registration CSV as a batch",
      description:
        "The body is the CSV file (text/csv), streamed into the queue as `import` reads a " +
        "file: the same columns, batch id rule, duplicates and line-numbered rejects. A " +
        `body over ${limitBytes} bytes is refused (413).`,
      tags: TAGS,
      querystring: uploadQuery,
      result: uploadResult,
      limitBytes,
      read: (upload) => importUpload(deps, upload, limitBytes),
    });

    routes.get(
      "/v1/batches/:id",
      {
        config: { scope: "batches:read" },
        schema: {
          summary: "A batch's progress",
          description:
            "What `status --batch ID --json` says, and whether the batch is paused or cancelled.",
          tags: TAGS,
          params: batchParams,
          response: { 200: batchStatus, 400: apiErrorSchema, 404: apiErrorSchema },
        },
      },
      async (request) => {
        const { id } = request.params;
        try {
          const [status, state] = await Promise.all([
            readBatchStatus(queue, redis, keys, id),
            readBatchState(redis, keys, id),
          ]);
          return { ...status, batch: id, state: state ?? ("running" as const) };
        } catch (error) {
          if (error instanceof UnknownBatchError) throw unknownBatch(id);
          throw error;
        }
      },
    );

    routes.get(
      "/v1/batches/:id/failed",
      {
        config: { scope: "batches:read" },
        schema: {
          summary: "A batch's failed deliveries, newest first, a page at a time",
          description: "What `failed list --batch ID --json` says; never a password.",
          tags: TAGS,
          params: batchParams,
          querystring: failedQuery,
          response: { 200: failedPage, 400: apiErrorSchema, 404: apiErrorSchema },
        },
      },
      async (request) => {
        const { id } = request.params;
        await requireBatch(deps, id);
        const { limit, cursor } = request.query;
        const page = await readFailedPage(deps, id, limit, cursor);
        return {
          failed: page.views.map((view) => ({
            jobId: view.id,
            pid: view.pid,
            reference: view.reference,
            code: view.code,
            message: view.message,
            attempts: view.attempts,
            failedAt: view.failedAt,
            line: view.line,
          })),
          nextCursor: page.nextCursor,
        };
      },
    );

    routes.post(
      "/v1/batches/:id/failed/retry",
      {
        config: { scope: "batches:write" },
        schema: {
          summary: "Send a batch's failed deliveries round again",
          description:
            "As `failed retry --batch ID`: each with a fresh set of attempts. A cancelled batch's " +
            "are not retried (409 COURIER_BATCH_CANCELLED): the workers would drop them.",
          tags: TAGS,
          params: batchParams,
          response: {
            200: retryResult,
            400: apiErrorSchema,
            404: apiErrorSchema,
            409: apiErrorSchema,
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        await requireBatch(deps, id);
        if (await batchRefusesRetry({ redis, keys }, id)) {
          throw new ApiError(409, "COURIER_BATCH_CANCELLED", cancelledRetryMessage(id));
        }
        // Ids only: a retry never loads a job's data, and so never a password.
        const ids = await selectFailedIds(queue, redis, { batch: id });
        const { changed, gone } = await retryFailed(ids, { queue, redis, keys, batch: id });
        return { retried: changed, gone };
      },
    );
  };
}

async function requireBatch({ redis, batchKeys }: ServeDeps, id: string): Promise<void> {
  if ((await redis.exists(batchKeys.batch(id))) === 0) throw unknownBatch(id);
}

function unknownBatch(id: string): ApiError {
  return new ApiError(404, "COURIER_UNKNOWN_BATCH", new UnknownBatchError(id).message);
}
