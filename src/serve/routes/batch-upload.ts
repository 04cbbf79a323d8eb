import type { Readable } from "node:stream";
import { generateBatchId } from "../../import/batch-id";
import {
  type ColumnMap,
  CsvError,
  type CsvReadOptions,
  InvalidCsvOptionError,
} from "../../import/csv";
import {
  type ImportResult,
  ImportSetupError,
  openImport,
  type RegistrationImport,
} from "../../import/importer";
import { unsettledRows } from "../../import/redis-stop";
import { deliveryJobSchema } from "../../jobs/job-schema";
import { ApiError } from "../api-error";
import type { ServeDeps } from "../serve-deps";
import { LISTED_REJECTS, type UploadQuery, type UploadResult } from "./batch-schemas";
import { tooLarge, UploadBody } from "./batch-upload-body";

/** What an upload uses: AXELNAC_SOURCE_ID, the producer that enqueues, the log. */
type UploadDeps = Pick<ServeDeps, "config" | "logger" | "producer">;

export interface BatchUpload {
  body: Readable;
  query: UploadQuery;
  /** The Content-Type's charset, used when the query names no encoding. */
  charset: string | undefined;
  /** The id of the API key that uploads: every job's `submitted_by`. */
  submittedBy: string | undefined;
}

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
  let job: RegistrationImport;
  try {
    job = await openImport(body.chunks(), {
      csv: csvOptions(query, upload.charset),
      columns: columnsOf(query),
      batchId,
      defaultSourceId,
      ...(upload.submittedBy === undefined ? {} : { submittedBy: upload.submittedBy }),
    });
  } catch (error) {
    if (body.overLimit) throw tooLarge(limitBytes);
    throw fileProblem(error);
  }
  const rejected: UploadResult["rejected"] = [];
  const outcome = await job.run(deps.producer, {
    resend: query.resend === "true",
    onRejected: ({ line, error }) => {
      if (rejected.length < LISTED_REJECTS) rejected.push({ line, reason: error });
    },
  });
  const result = summarise(batchId, outcome, rejected);
  deps.logger.info(
    { batchId, ...counts(result), submittedBy: upload.submittedBy, bytes: body.bytesRead },
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

function csvOptions(query: UploadQuery, charset: string | undefined): CsvReadOptions {
  const csv: CsvReadOptions = {};
  if (query.delimiter !== undefined) csv.delimiter = query.delimiter;
  const encoding = query.encoding ?? charset;
  if (encoding !== undefined) csv.encoding = encoding;
  return csv;
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

/** The import's refusal of the file as a whole, as the API says it; anything else is thrown on. */
function fileProblem(error: unknown): unknown {
  if (error instanceof CsvError || error instanceof ImportSetupError) {
    return new ApiError(422, error.code, error.message);
  }
  // The options were checked before any byte was read: the request is at fault, not the file.
  if (error instanceof InvalidCsvOptionError) return new ApiError(400, error.code, error.message);
  return error;
}

function summarise(
  batchId: string,
  outcome: ImportResult,
  rejected: UploadResult["rejected"],
): UploadResult {
  return {
    batchId,
    rows: outcome.rows,
    enqueued: outcome.enqueued,
    duplicates: outcome.duplicates,
    rejectedCount: outcome.rejected,
    rejected,
    ...(outcome.stoppedBy ? { stoppedAtLine: outcome.stoppedBy.line } : {}),
  };
}

function counts({ rows, enqueued, duplicates, rejectedCount, stoppedAtLine }: UploadResult) {
  return { rows, enqueued, duplicates, rejected: rejectedCount, stoppedAtLine };
}
