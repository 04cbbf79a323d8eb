import { batchRefusesRetry, cancelledRetryMessage } from "../batches/cancelled-retry";
import {
  type FailedJobsChange,
  type FailedJobView,
  type FailedSelection,
  listFailed,
  purgeFailed,
  retryFailed,
  selectFailedIds,
} from "../batches/failed-jobs";
import { rewriteSources } from "../batches/source-change";
import { loadConfig } from "../config/config";
import { type CsvReadOptions, InvalidCsvOptionError } from "../import/csv";
import { resolveCsvOptions } from "../import/csv/options";
import { batchIdProblem, isStoredBatchId } from "../jobs/batch-id-rule";
import { deliveryJobSchema } from "../jobs/job-schema";
import { plural } from "../logging/plural";
import { forTerminal, jsonForTerminal, SENTENCE_LIMIT } from "../logging/terminal-text";
import { answerWithin } from "../redis/answer-within";
import type { OperatorConnections } from "../wiring/operator";
import { type CommandLine, isHelp, readArguments, readFlags, UsageError } from "./command";
import { type CommandIo, EXIT } from "./io";
import { onOperator } from "./operator-command";
import { openPasswordFile, type PasswordFile } from "./password-file";
import { type PasswordRetry, retryWithPasswords } from "./password-retry";

export const FAILED_USAGE = `usage: axelnac-courier failed list  [--batch ID] [--json]
       axelnac-courier failed retry (--batch ID | --id JOB | --all) [--source-id S]
                                    [--passwords FILE [--delimiter D] [--encoding LABEL]]
       axelnac-courier failed purge (--batch ID | --id JOB | --all)

list   the failed deliveries, newest first: when each failed (local time), the file line it came
       from, reference, pid, outcome code and message, attempts, job id (--json: every field)
retry  send them round again, each with a fresh set of attempts; --source-id S: with this SMS
       source instead of theirs (a batch sent with a wrong one); --passwords FILE: a CSV with
       the columns pid and password, read as import reads its files, gives the guests it lists a
       corrected password (the others are retried as they are). Each pid must appear once and
       have exactly one failed delivery among those chosen: otherwise the command names each bad
       line and exits 2, changing nothing
purge  delete them (and the passwords they hold); they stay counted as failed in status`;

export async function runFailed(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArguments(argv, io, FAILED_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const { action, selection, json, sourceId, passwords } = parsed.args;

  const config = loadConfig();
  // The file is read before Redis is asked anything: a file that cannot be read changes nothing.
  let passwordFile: PasswordFile | undefined;
  if (passwords) {
    try {
      passwordFile = await openPasswordFile(passwords.path, passwords.csv);
    } catch (error) {
      io.stderr.write(`failed: ${fileProblem(error, passwords.path)}\n`);
      return EXIT.usage;
    }
  }
  const work = async (operator: OperatorConnections) => {
    const chosen = selection ?? { all: true };
    if (
      action === "retry" &&
      "batch" in chosen &&
      (await batchRefusesRetry(operator, chosen.batch))
    ) {
      io.stderr.write(`failed: ${cancelledRetryMessage(forTerminal(chosen.batch))}\n`);
      return EXIT.usage;
    }
    if (passwordFile && passwords) {
      const request: PasswordRetry = {
        file: passwordFile,
        path: passwords.path,
        selection: chosen,
        ...(sourceId !== undefined ? { sourceId } : {}),
      };
      const result = await retryWithPasswords(request, config, operator, io);
      if ("badLines" in result) return EXIT.usage;
      const renewed = `${result.withPassword} with a new password`;
      io.stdout.write(`${describeChange("retry", result.change, renewed)}\n`);
      return EXIT.ok;
    }
    if (action === "list") {
      const { queue, redis, deadline } = operator;
      await printFailed(listFailed(queue, redis, chosen, deadline), io, json);
      return EXIT.ok;
    }
    // Ids only: retry and purge never load a job's data, and so never a password.
    const ids = await answerWithin(
      selectFailedIds(operator.queue, operator.redis, chosen),
      operator.deadline,
    );
    const target = { ...operator, ...("batch" in chosen ? { batch: chosen.batch } : {}) };
    const change =
      action === "retry"
        ? await retryFailed(ids, target, {
            ...(sourceId !== undefined
              ? {
                  rewrites: await rewriteSources(
                    operator.queue,
                    operator.redis,
                    ids,
                    sourceId,
                    config.encryption.ring,
                    operator.deadline,
                  ),
                }
              : {}),
          })
        : await purgeFailed(ids, target);
    io.stdout.write(`${describeChange(action, change)}\n`);
    return EXIT.ok;
  };
  try {
    return await onOperator(
      config,
      io,
      { readOnly: action === "list", logFormat: config.log.format },
      work,
    );
  } finally {
    await passwordFile?.close();
  }
}

/** Why the passwords file cannot be read: its line for a CSV problem, else the system's code. */
function fileProblem(error: unknown, path: string): string {
  const { code, message, line } = error as NodeJS.ErrnoException & { line?: number };
  const file = forTerminal(path);
  if (line !== undefined) return `${file}: ${forTerminal(message, SENTENCE_LIMIT)}`;
  return `cannot read ${file}: ${code ?? message}${code === "ENOENT" ? " (no such file)" : ""}`;
}

/**
 * Prints each page as it comes, so that the command holds one page at a time: a JSON array, or a
 * line per job with every field from the job made safe for a terminal.
 */
async function printFailed(
  pages: AsyncIterable<FailedJobView[]>,
  io: CommandIo,
  json: boolean,
): Promise<void> {
  let listed = 0;
  for await (const page of pages) {
    for (const view of page) {
      if (json) io.stdout.write(`${listed === 0 ? "[" : ","}${jsonForTerminal(view)}`);
      else io.stdout.write(`${describeFailed(view)}\n`);
      listed++;
    }
  }
  if (json) io.stdout.write(listed === 0 ? "[]\n" : "]\n");
  else if (listed === 0) io.stdout.write("no failed deliveries\n");
}

/**
 * `2026-12-03 14:05  line 7  reference REG-7  pid jdoe  AXELNAC_GUEST_NOT_FOUND  send … 404 …
 * attempts 3  job expo~1a2b…`: what an operator fixes first leads, the job id (for `--id`) ends.
 */
function describeFailed(v: FailedJobView): string {
  const failedAt = v.failedAt === null ? "-" : localMinute(new Date(v.failedAt));
  const line = v.line === null ? "-" : String(v.line);
  const pid = v.pid === null ? "?" : forTerminal(v.pid);
  const reference = v.reference === null ? "-" : forTerminal(v.reference);
  const outcome = forTerminal(
    v.code === null ? v.message : `${v.code}  ${v.message}`,
    SENTENCE_LIMIT,
  );
  return `${failedAt}  line ${line}  reference ${reference}  pid ${pid}  ${outcome}  attempts ${v.attempts}  job ${forTerminal(v.id)}`;
}

/** `2026-12-03 14:05` in the local time zone: ISO 8601's order, to the minute. */
function localMinute(at: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}`;
}

/** `retried 40 failed deliveries, 3 with a new password (2 no longer failed: …)` */
function describeChange(
  action: "retry" | "purge",
  { changed, gone }: FailedJobsChange,
  detail?: string,
): string {
  const done = `${action === "retry" ? "retried" : "purged"} ${plural(changed, "failed delivery", "failed deliveries")}${detail === undefined ? "" : `, ${detail}`}`;
  if (gone === 0) return done;
  return `${done} (${gone} no longer failed when their turn came: retried or purged meanwhile by someone else, or expired)`;
}

interface FailedRequest {
  action: "list" | "retry" | "purge";
  /** Without one, `list` lists every failed delivery; `retry` and `purge` need one. */
  selection: FailedSelection | undefined;
  json: boolean;
  /** `retry --source-id`: the SMS source the retried jobs carry from then on. */
  sourceId?: string;
  /** `retry --passwords FILE`: the corrected passwords, and how to read the file. */
  passwords?: { path: string; csv: CsvReadOptions };
}

const FAILED_COMMAND_LINE: CommandLine<FailedRequest> = {
  usage: FAILED_USAGE,
  prefix: "failed: ",
  blankLine: false,
  parse,
};

function parse(argv: string[]): FailedRequest | "help" {
  const [action, ...rest] = argv;
  if (isHelp(action) || action === "help") return "help";
  if (action !== "list" && action !== "retry" && action !== "purge") {
    throw new UsageError(
      action
        ? `unknown action "${action}": use list, retry or purge`
        : "an action is required: list, retry or purge",
    );
  }
  const options = parseFlags(rest);
  if (options.sourceId !== undefined && action !== "retry") {
    throw new UsageError("--source-id goes with retry only");
  }
  if (options.passwords !== undefined && action !== "retry") {
    throw new UsageError("--passwords goes with retry only");
  }
  if (action !== "list" && !options.selection) {
    throw new UsageError(
      `${action} needs --batch ID, --id JOB or --all, so that nothing is changed by accident`,
    );
  }
  return { action, ...options };
}

function parseFlags(argv: string[]): Omit<FailedRequest, "action"> {
  const values = readFlags(argv, {
    batch: { type: "string" },
    id: { type: "string" },
    all: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    "source-id": { type: "string" },
    passwords: { type: "string" },
    delimiter: { type: "string" },
    encoding: { type: "string" },
  });
  const sourceId = values["source-id"];
  if (sourceId !== undefined) {
    const checked = deliveryJobSchema.shape.source_id.safeParse(sourceId);
    if (!checked.success) {
      throw new UsageError(`--source-id ${checked.error.issues[0]?.message ?? "is not valid"}`);
    }
  }
  const chosen = [values.batch !== undefined, values.id !== undefined, values.all].filter(
    Boolean,
  ).length;
  if (chosen > 1) throw new UsageError("give only one of --batch, --id and --all");
  // Looser than a new batch's rule: a plain producer's stored batch id is found as the worker counts it.
  if (values.batch !== undefined && !isStoredBatchId(values.batch)) {
    throw new UsageError(
      `--batch: "${forTerminal(values.batch)}" ${batchIdProblem(values.batch) ?? "is not a batch id"}`,
    );
  }
  const selection: FailedSelection | undefined =
    values.batch !== undefined
      ? { batch: values.batch }
      : values.id !== undefined
        ? { id: values.id }
        : values.all
          ? { all: true }
          : undefined;
  return {
    selection,
    json: values.json,
    ...(sourceId !== undefined ? { sourceId } : {}),
    ...passwordsOption(values),
  };
}

/** `--passwords FILE`, with the reader's `--delimiter` and `--encoding`, which need it. */
function passwordsOption(values: {
  passwords?: string | undefined;
  delimiter?: string | undefined;
  encoding?: string | undefined;
}): Pick<FailedRequest, "passwords"> {
  const { passwords: path, delimiter, encoding } = values;
  if (path === undefined) {
    if (delimiter !== undefined || encoding !== undefined) {
      throw new UsageError("--delimiter and --encoding go with --passwords FILE");
    }
    return {};
  }
  if (path === "") throw new UsageError("--passwords needs a FILE");
  const csv: CsvReadOptions = {};
  if (delimiter !== undefined)
    csv.delimiter = delimiter as NonNullable<CsvReadOptions["delimiter"]>;
  if (encoding !== undefined) csv.encoding = encoding;
  try {
    resolveCsvOptions(csv);
  } catch (error) {
    if (error instanceof InvalidCsvOptionError) throw new UsageError(`--${error.message}`);
    throw error;
  }
  return { passwords: { path, csv } };
}
