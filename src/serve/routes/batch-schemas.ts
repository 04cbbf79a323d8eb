import { z } from "zod";
import { LISTED_PER_ROUND_TRIP } from "../../batches/failed-jobs";
import { COLUMN_FLAGS, type ColumnMap } from "../../import/csv";
import { batchIdProblem, isStoredBatchId } from "../../jobs/batch-id-rule";
import { deliveryJobSchema } from "../../jobs/job-schema";
import type { ApiErrorBody } from "../api-error";

/*
 * The batch routes' requests and answers, as zod schemas: Fastify validates and serializes with
 * them, and the OpenAPI document is generated from them. Fields a job has are the job contract's
 * own schemas (src/jobs/job-schema.ts).
 */

/** The API's error body (src/serve/api-error.ts), for the responses' documentation. */
export const apiErrorSchema: z.ZodType<ApiErrorBody> = z.object({
  error: z.object({
    code: z.string().describe("Stable, to branch on: COURIER_UNKNOWN_BATCH, COURIER_CSV_INVALID…"),
    message: z.string().describe("A sentence for people; never a password"),
    details: z.unknown().optional(),
  }),
});

/**
 * A batch already in Redis: the looser rule of a stored batch id (a plain producer's batch is
 * found as the worker counts it), which also keeps a `:` out of the Redis keys it names.
 */
const storedBatchId = z
  .string()
  .check((context) => {
    if (isStoredBatchId(context.value)) return;
    const problem = batchIdProblem(context.value) ?? "is not a batch id";
    context.issues.push({ code: "custom", message: problem, input: context.value });
  })
  .describe("The batch id, as given to POST /v1/batches or `import --batch`");

export const batchParams = z.object({ id: storedBatchId });

const columnName = (field: keyof ColumnMap) =>
  z
    .string()
    .refine((name) => name.trim() !== "", "the name is empty")
    .optional()
    .describe(
      `The column of the ${field} (default "${field}"); as \`import ${COLUMN_FLAGS[field]}\``,
    );

/** `import`'s flags, as query parameters. */
export const uploadQuery = z.object({
  batch: deliveryJobSchema.shape.batch_id.describe(
    "The batch id (default import-<date>-<time>-<random>); as `import --batch`",
  ),
  source_id: deliveryJobSchema.shape.source_id
    .optional()
    .describe("The SMS source of rows without one (default AXELNAC_SOURCE_ID)"),
  delimiter: z
    .enum([",", ";", "tab"])
    .optional()
    .describe("The separator (default: detected from the header)"),
  encoding: z
    .string()
    .optional()
    .describe(
      "The file's encoding: utf-8 (default), windows-1251, koi8-r, utf-16le…; " +
        "else the charset of the Content-Type",
    ),
  pid_column: columnName("pid"),
  password_column: columnName("password"),
  source_id_column: columnName("source_id"),
  reference_column: columnName("reference"),
  resend: z
    .enum(["true", "false"])
    .optional()
    .describe("true: send even to guests sent the same password within DUPLICATE_WINDOW"),
});

export type UploadQuery = z.output<typeof uploadQuery>;

/** Rejected rows listed in an upload's answer, at most; `rejectedCount` counts them all. */
export const LISTED_REJECTS = 1_000;

export const uploadResult = z.object({
  batchId: z.string(),
  rows: z.number().int().describe("Rows read after the header"),
  enqueued: z.number().int(),
  duplicates: z
    .number()
    .int()
    .describe("Rows enqueued before within DUPLICATE_WINDOW, skipped: nobody gets a second SMS"),
  rejectedCount: z.number().int(),
  rejected: z
    .array(
      z.object({
        line: z.number().int().describe("The file line, as an editor or a spreadsheet shows it"),
        reason: z.string().describe("As `import` says it; never quotes a password"),
      }),
    )
    .describe(`The first ${LISTED_REJECTS} rejected rows, in file order`),
  stoppedAtLine: z
    .number()
    .int()
    .optional()
    .describe(
      "The file cannot be read from this line on (it is among `rejected`): the rest was not read",
    ),
});

export type UploadResult = z.output<typeof uploadResult>;

export const batchStatus = z.object({
  batch: z.string(),
  state: z
    .enum(["running", "paused", "cancelled"])
    .describe("As `batch pause|resume|cancel` left it"),
  total: z.number().int().describe("Distinct guests"),
  totalKnown: z
    .boolean()
    .optional()
    .describe("false: a plain producer's jobs are counted only once a worker takes them"),
  waiting: z.number().int(),
  delayed: z.number().int(),
  active: z.number().int(),
  delivered: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  paused: z.boolean(),
  nextDueAt: z.string().optional(),
  createdAt: z.string().optional(),
  accounts: z
    .object({
      guests: z.number().int(),
      pending: z.number().int(),
      created: z.number().int(),
      reset: z.number().int(),
      existing: z.number().int(),
      refused: z.number().int(),
    })
    .optional()
    .describe("An onboarded batch's guests, by what became of their accounts"),
});

export const failedQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(LISTED_PER_ROUND_TRIP)
    .describe("Failed deliveries per page"),
  cursor: z.string().optional().describe("The nextCursor of the page before"),
});

export const failedPage = z.object({
  failed: z.array(
    z.object({
      jobId: z.string(),
      pid: z.string().nullable(),
      reference: z.string().nullable(),
      code: z.string().nullable().describe("The outcome code; null for a reason of BullMQ's own"),
      message: z.string(),
      attempts: z.number().int(),
      failedAt: z.string().nullable(),
      line: z.number().int().nullable().describe("The file line the delivery came from"),
    }),
  ),
  nextCursor: z.string().nullable().describe("null on the last page"),
});

export const retryResult = z.object({
  retried: z.number().int().describe("Failed deliveries sent round again, with fresh attempts"),
  gone: z.number().int().describe("No longer failed when their turn came (retried meanwhile)"),
});
