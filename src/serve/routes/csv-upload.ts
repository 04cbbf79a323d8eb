import { CsvError, type CsvReadOptions, InvalidCsvOptionError } from "../../import/csv";
import { type ImportCounts, ImportSetupError } from "../../import/importer";
import { ApiError } from "../api-error";
import type { UploadResult } from "./batch-schemas";
import { tooLarge, type UploadBody } from "./batch-upload-body";

/** The reader's choices of an upload's query, as `--delimiter` and `--encoding` are a command's. */
export interface CsvQuery {
  delimiter?: "," | ";" | "tab" | undefined;
  encoding?: string | undefined;
}

/** The query's reader choices; without an encoding, the Content-Type's charset names it. */
export function csvOptions(query: CsvQuery, charset: string | undefined): CsvReadOptions {
  const csv: CsvReadOptions = {};
  if (query.delimiter !== undefined) csv.delimiter = query.delimiter;
  const encoding = query.encoding ?? charset;
  if (encoding !== undefined) csv.encoding = encoding;
  return csv;
}

/**
 * Opens the uploaded file as the CLI opens one (its header read and checked): a problem of the
 * file as a whole is a 422 with the command's own message, a body past the limit a 413, and
 * reader options no decoder takes a 400. Nothing was enqueued in any of these.
 */
export async function openUpload<T>(
  body: UploadBody,
  open: (chunks: AsyncIterable<Uint8Array>) => Promise<T>,
): Promise<T> {
  try {
    return await open(body.chunks());
  } catch (error) {
    if (body.overLimit) throw tooLarge(body.limitBytes);
    throw fileProblem(error);
  }
}

/** The refusal of the file as a whole, as the API says it; anything else is thrown on. */
function fileProblem(error: unknown): unknown {
  if (error instanceof CsvError || error instanceof ImportSetupError) {
    return new ApiError(422, error.code, error.message);
  }
  // The options were checked before any byte was read: the request is at fault, not the file.
  if (error instanceof InvalidCsvOptionError) return new ApiError(400, error.code, error.message);
  return error;
}

/** An upload's answer: the reader's counts, the rejects listed, the line it could not read past. */
export function uploadSummary(
  batchId: string,
  outcome: ImportCounts & { stoppedBy?: { line: number } | undefined },
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

/** An upload's counts for its log line: never a reason, which may quote a cell. */
export function loggedCounts({
  rows,
  enqueued,
  duplicates,
  rejectedCount,
  stoppedAtLine,
}: UploadResult) {
  return { rows, enqueued, duplicates, rejected: rejectedCount, stoppedAtLine };
}
