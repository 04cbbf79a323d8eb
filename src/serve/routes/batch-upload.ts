import { generateBatchId } from "../../import/batch-id";
import type { ColumnMap } from "../../import/csv";
import { openImport } from "../../import/importer";
import { unsettledRows } from "../../import/redis-stop";
import { deliveryJobSchema } from "../../jobs/job-schema";
import { ApiError } from "../api-error";
import type { ServeDeps } from "../serve-deps";
import { LISTED_REJECTS, type UploadQuery, type UploadResult } from "./batch-schemas";
import { tooLarge, UploadBody } from "./batch-upload-body";
import { csvOptions, loggedCounts, openUpload, uploadSummary } from "./csv-upload";
import type { CsvUpload } from "./csv-upload-route";

export type BatchUpload = CsvUpload<UploadQuery>;

/** What an upload uses: AXELNAC_SOURCE_ID, the producer that enqueues, the log. */
type UploadDeps = Pick<ServeDeps, "config" | "logger" | "producer">;

/**
 * A registration CSV streamed into the queue by the import pipeline, as `import FILE` does: the
 * same batch id rule, default source, columns, duplicates and line-numbered rejects. A problem of
 * the file as a whole (no header, no pid column, an encoding that cannot read it) is found before
 * anything is enqueued and thrown as a 422 with `import`'s own message.
 */
export async function importUpload(
  deps: UploadDeps,
  upload: BatchUpload,
  limitBytes: number,
): Promise<{ result: UploadResult; bodyComplete: boolean }> {
  const { query } = upload;
  const batchId = query.batch ?? generateBatchId();
  const defaultSourceId = query.source_id ?? configuredSourceId(deps);
  const body = new UploadBody(upload.body, limitBytes);
  const job = await openUpload(body, (chunks) =>
    openImport(chunks, {
      csv: csvOptions(query, upload.charset),
      columns: columnsOf(query),
      batchId,
      defaultSourceId,
      ...(upload.submittedBy === undefined ? {} : { submittedBy: upload.submittedBy }),
    }),
  );
  const rejected: UploadResult["rejected"] = [];
  const outcome = await job.run(deps.producer, {
    resend: query.resend === "true",
    onRejected: ({ line, error }) => {
      if (rejected.length < LISTED_REJECTS) rejected.push({ line, reason: error });
    },
  });
  const result = uploadSummary(batchId, outcome, rejected);
  deps.logger.info(
    { batchId, ...loggedCounts(result), submittedBy: upload.submittedBy, bytes: body.bytesRead },
    "batch uploaded",
  );
  if (body.overLimit) throw tooLarge(limitBytes, result);
  if (outcome.redisStop) {
    const { code, message } = outcome.redisStop;
    throw new ApiError(503, code, `${message}: upload the file again once Redis answers`, {
      ...result,
      notSettled: unsettledRows(outcome.redisStop),
    });
  }
  return { result, bodyComplete: body.complete };
}

/** AXELNAC_SOURCE_ID, checked as `import` checks its default before reading anything. */
function configuredSourceId(deps: UploadDeps): string | undefined {
  const configured = deps.config.producer.defaultSourceId;
  if (configured === undefined) return undefined;
  const checked = deliveryJobSchema.shape.source_id.safeParse(configured);
  if (checked.success) return configured;
  const problem = checked.error.issues.map((issue) => issue.message).join("; ");
  throw new ApiError(
    400,
    "API_SOURCE_ID_INVALID",
    `the default SMS source (AXELNAC_SOURCE_ID) ${problem}: give source_id`,
  );
}

function columnsOf(query: UploadQuery): Partial<ColumnMap> {
  const named: Record<keyof ColumnMap, string | undefined> = {
    pid: query.pid_column,
    password: query.password_column,
    source_id: query.source_id_column,
    reference: query.reference_column,
  };
  return Object.fromEntries(Object.entries(named).filter(([, name]) => name !== undefined));
}
