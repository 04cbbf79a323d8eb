import { type FileHandle, open } from "node:fs/promises";
import { basename } from "node:path";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { type Config, loadConfig } from "../config/config";
import { formatDuration } from "../config/duration";
import { generateBatchId } from "../import/batch-id";
import {
  COLUMN_FLAGS,
  type ColumnMap,
  CsvError,
  type CsvReadOptions,
  InvalidCsvOptionError,
} from "../import/csv";
import { dryRunProducer } from "../import/dry-run-producer";
import {
  type ImportCounts,
  type ImportResult,
  ImportSetupError,
  openImport,
  type RegistrationImport,
} from "../import/importer";
import { RejectsFile } from "../import/rejects-file";
import { BATCH_ID_PATTERN, validateDeliveryJob } from "../jobs/job-schema";
import { createCommandLogger, type Logger } from "../logging/logger";
import { ONE_SHOT_REDIS_TIMEOUT_MS } from "../redis/connection";
import { type ConnectedProducer, connectDeliveryProducer } from "../wiring/producer";
import { type CommandLine, readArguments, UsageError } from "./command";
import { ImportProgress, type ProgressStream } from "./import-progress";
import { type CommandIo, EXIT, reportFailure } from "./io";
import { parseSendAt } from "./send-at";

export const IMPORT_USAGE = `usage: axelnac-courier import FILE [options]

Enqueues one credential delivery per row of a registration file (CSV exported from a spreadsheet
or a registration platform): AxelNAC sends each guest their password by SMS. The header names the
columns: pid and password are required, source_id and reference optional, others are ignored.
Imported jobs wait behind single \`enqueue\`s, so walk-in guests are not stuck behind an import.
Importing the same file again sends nobody a second SMS within DUPLICATE_WINDOW.

options:
  --delimiter D           , or ; or tab (default: detected from the header)
  --encoding LABEL        the file's encoding: utf-8 (default), windows-1251, koi8-r, utf-16le…
  --pid-column NAME       the column of the guest's user name (default "pid")
  --password-column NAME  the column of the password (default "password")
  --source-id-column NAME the column of the SMS source (default "source_id")
  --reference-column NAME the column of your reference (default "reference")
  --source-id ID          the SMS source of rows without one (default AXELNAC_SOURCE_ID)
  --batch ID              the batch id, for \`status --batch\` (default import-<date>-<time>-<random>)
  --send-at TIME          deliver no earlier than TIME, ISO 8601 with a time zone:
                          2025-06-01T09:30:00+02:00 or 2025-06-01T07:30:00Z
  --rejects FILE          write the bad rows to FILE, with the reason, to fix and import again
  --dry-run               check the file only: nothing is enqueued, Redis is not needed
  --resend                send even to guests who got the same password within DUPLICATE_WINDOW
  --help                  show this help

Bad rows are reported on stderr as "line N: reason" (N as an editor shows it) and do not stop
the others. The last line on stdout sums up:
  batch ID: N rows, E enqueued, D duplicates skipped, R rejected

Exit status: 0 every row accepted (duplicates included), 1 some rows rejected (the others are
enqueued) or Redis failed, 2 bad arguments or a file that cannot be read (nothing enqueued),
130 interrupted (the rows read so far are enqueued).`;

const FLAGS = {
  delimiter: { type: "string" },
  encoding: { type: "string" },
  "pid-column": { type: "string" },
  "password-column": { type: "string" },
  "source-id-column": { type: "string" },
  "reference-column": { type: "string" },
  "source-id": { type: "string" },
  batch: { type: "string" },
  "send-at": { type: "string" },
  rejects: { type: "string" },
  "dry-run": { type: "boolean" },
  resend: { type: "boolean" },
  help: { type: "boolean" },
} as const;

interface ImportRequest {
  file: string;
  csv: CsvReadOptions;
  columns: Partial<ColumnMap>;
  sourceId: string | undefined;
  batch: string | undefined;
  sendAt: Date | undefined;
  rejects: string | undefined;
  dryRun: boolean;
  resend: boolean;
}

/** `axelnac-courier import FILE`: a registration file into the queue, bad rows reported by line. */
/** `config`: settings to use instead of the environment's (the demo imports into its own queue). */
export async function runImport(
  argv: string[],
  io: CommandIo,
  config: Config = loadConfig(),
): Promise<number> {
  const parsed = readArguments(argv, io, IMPORT_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const request = parsed.args;
  const defaultSourceId = request.sourceId ?? config.producer.defaultSourceId;
  if (defaultSourceId !== undefined) {
    const check = validateDeliveryJob({ pid: "-", password: "-", source_id: defaultSourceId });
    if (!check.ok) {
      const problems = check.problems.map((problem) => problem.message).join("; ");
      io.stderr.write(`import: --source-id: ${problems}\n`);
      return EXIT.usage;
    }
  }
  const batchId = request.batch ?? generateBatchId();
  const run = new ImportCommand(request, config, io, batchId);
  try {
    return await run.execute(defaultSourceId);
  } finally {
    await run.close();
  }
}

/** One run of the command: the resources it opened, closed on every way out. */
class ImportCommand {
  #file: FileHandle | undefined;
  #totalBytes = 0;
  #bytesRead = 0;
  #import: RegistrationImport | undefined;
  #rejects: RejectsFile | undefined;
  #connected: ConnectedProducer | undefined;
  #progress: ImportProgress | undefined;
  readonly #logger: Logger;

  constructor(
    readonly request: ImportRequest,
    readonly config: Config,
    readonly io: CommandIo,
    readonly batchId: string,
  ) {
    // Info lines would drown the progress; LOG_LEVEL set explicitly still wins.
    const level = config.log.levelIsDefault ? "warn" : config.log.level;
    // Log lines (Redis gone, say) are printed above the progress bar, not glued to its end.
    const above = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const text = chunk.toString();
        if (this.#progress) this.#progress.line(text.replace(/\n$/, ""));
        else io.stderr.write(text);
        done();
      },
    });
    this.#logger = createCommandLogger(level, above);
  }

  async execute(defaultSourceId: string | undefined): Promise<number> {
    const { request, io } = this;
    const name = basename(request.file);
    try {
      this.#import = await this.#open(defaultSourceId);
    } catch (error) {
      io.stderr.write(`import: ${setupProblem(error, request.file)}\n`);
      return EXIT.usage;
    }
    if (request.rejects !== undefined) {
      try {
        this.#rejects = await RejectsFile.create(request.rejects, this.#import.header);
      } catch (error) {
        const { code = "", message } = error as NodeJS.ErrnoException;
        io.stderr.write(
          `import: --rejects: cannot write ${request.rejects} (${code || message})\n`,
        );
        return EXIT.usage;
      }
    }
    if (!request.dryRun) {
      try {
        this.#connected = await connectDeliveryProducer(this.config, this.#logger, {
          connectionName: "import",
          readyTimeoutMs: ONE_SHOT_REDIS_TIMEOUT_MS,
        });
      } catch (error) {
        return reportFailure(io, error);
      }
    }
    const separator =
      this.#import.header.delimiter === "\t" ? "tab" : this.#import.header.delimiter;
    io.stderr.write(
      `import: batch ${this.batchId}: ${request.dryRun ? "checking" : "importing"} ${name} (separator ${separator})\n`,
    );
    if (request.sendAt && request.sendAt.getTime() < Date.now()) {
      io.stderr.write(`import: --send-at ${request.sendAt.toISOString()} is past: sending now\n`);
    }
    return this.#stream(this.#import);
  }

  async close(): Promise<void> {
    this.#progress?.stop();
    await this.#rejects?.close();
    await this.#connected?.close();
    await this.#file?.close();
  }

  async #open(defaultSourceId: string | undefined): Promise<RegistrationImport> {
    const { request } = this;
    this.#file = await open(request.file, "r");
    const stat = await this.#file.stat();
    if (stat.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    if (request.rejects !== undefined) await refuseSameFile(request.rejects, stat);
    this.#totalBytes = stat.size;
    return openImport(this.#counted(this.#file.createReadStream({ autoClose: false })), {
      csv: request.csv,
      columns: request.columns,
      batchId: this.batchId,
      defaultSourceId,
    });
  }

  async *#counted(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of input) {
      this.#bytesRead += chunk.length;
      yield chunk;
    }
  }

  async #stream(job: RegistrationImport): Promise<number> {
    const { request, io } = this;
    const progress = new ImportProgress(io.stderr as ProgressStream, {
      counts: job.counts,
      bytesRead: () => this.#bytesRead,
      totalBytes: this.#totalBytes,
      dryRun: request.dryRun,
    });
    this.#progress = progress;
    const interrupt = new AbortController();
    const onSigint = () => {
      // Once: a second Ctrl-C has Node's default effect, for when Redis does not answer.
      progress.line("import: stopping after the rows read so far (Ctrl-C again to stop at once)");
      interrupt.abort();
    };
    process.once("SIGINT", onSigint);
    progress.start();
    let result: ImportResult;
    try {
      result = await job.run(this.#connected?.producer ?? dryRunProducer, {
        resend: request.resend,
        ...(request.sendAt ? { sendAt: request.sendAt } : {}),
        signal: interrupt.signal,
        onRejected: async ({ line, error, fields }) => {
          progress.line(`line ${line}: ${error}`);
          await this.#rejects?.add(line, error, fields);
        },
      });
    } catch (error) {
      progress.stop();
      reportFailure(io, error);
      io.stderr.write(
        `import: ${plural(job.counts.enqueued, "row was", "rows were")} enqueued before the ` +
          `failure${request.resend ? "" : `; once it is fixed, ${AGAIN}`}\n`,
      );
      io.stdout.write(`${this.#summary(job.counts)}\n`);
      return EXIT.failed;
    } finally {
      process.off("SIGINT", onSigint);
    }
    progress.stop();
    this.#explain(result);
    io.stdout.write(`${this.#summary(result)}\n`);
    if (result.interruptedAfterLine !== undefined) return EXIT.interrupted;
    return result.rejected > 0 ? EXIT.failed : EXIT.ok;
  }

  /** What the admin does next, on stderr; stdout keeps the one summary line. */
  #explain(result: ImportResult): void {
    const { request, io } = this;
    const say = (text: string) => io.stderr.write(`import: ${text}\n`);
    const done = request.dryRun ? "checked" : "enqueued";
    // Importing again is safe only while the duplicate window protects what this run enqueued.
    const again = request.dryRun || request.resend ? "" : ` ${AGAIN}`;
    if (result.stoppedBy) {
      say(
        `the file cannot be read from line ${result.stoppedBy.line} on: the rows before it were ` +
          `${done}, the rest was not read. Fix the file, then${again || " check it again"}`,
      );
    }
    if (result.interruptedAfterLine !== undefined) {
      say(
        `interrupted: the rows up to line ${result.interruptedAfterLine} were ${done}, the rest ` +
          `was not read.${again && ` To finish,${again}`}`,
      );
    }
    if (result.duplicates > 0) {
      const window = formatDuration(this.config.producer.duplicateWindowMs);
      say(
        `${plural(result.duplicates, "row was", "rows were")} already enqueued within the ` +
          `duplicate window (${window}) and skipped, so nobody gets a second SMS; --resend sends ` +
          "them again",
      );
    }
    if (result.rows === 0) say("the file holds no rows after its header");
    // The unreadable rest of the file is one entry in the rejects file, not a row to fix there.
    const badRows = result.rejected - (result.stoppedBy ? 1 : 0);
    if (badRows > 0 && request.rejects !== undefined) {
      say(
        `${plural(badRows, "rejected row is", "rejected rows are")} in ${request.rejects}: fix ` +
          "them there and import that file",
      );
    } else if (badRows > 0 && again) {
      say(`to get the rejected rows in a file to fix, add --rejects FILE and${again}`);
    }
  }

  #summary(counts: ImportCounts): string {
    const head = `batch ${this.batchId}: ${counts.rows} rows`;
    if (this.request.dryRun) {
      return `${head}, ${counts.enqueued} valid, ${counts.rejected} rejected (dry run: nothing enqueued, duplicates not checked)`;
    }
    return `${head}, ${counts.enqueued} enqueued, ${counts.duplicates} duplicates skipped, ${counts.rejected} rejected`;
  }
}

const AGAIN = "import the file again: the rows already enqueued are skipped as duplicates";

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The message for anything that stops the import before its first row. */
function setupProblem(error: unknown, file: string): string {
  if (error instanceof CsvError) return `${file}: ${error.message}`;
  if (error instanceof InvalidCsvOptionError) return `--${error.message}`;
  if (error instanceof ImportSetupError || error instanceof UsageError) return error.message;
  const { code, message } = error as NodeJS.ErrnoException;
  return `cannot read ${file}: ${code ?? message}${code === "ENOENT" ? " (no such file)" : ""}`;
}

/** `--rejects` naming the input file would empty it before it is read. */
async function refuseSameFile(path: string, input: { dev: number; ino: number }): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, "r");
    const stat = await handle.stat();
    if (stat.dev === input.dev && stat.ino === input.ino) {
      throw new UsageError("--rejects names the file being imported; give another file");
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
  } finally {
    await handle?.close();
  }
}

const IMPORT_COMMAND_LINE: CommandLine<ImportRequest> = {
  usage: IMPORT_USAGE,
  prefix: "import: ",
  blankLine: true,
  parse: parseFlags,
};

function parseFlags(argv: string[]): ImportRequest | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    options: FLAGS,
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return "help";
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "FILE is required"
        : `one FILE at a time, got ${positionals.length}`,
    );
  }
  if (values.batch !== undefined && !BATCH_ID_PATTERN.test(values.batch)) {
    throw new UsageError(
      `--batch: "${values.batch}" is not 1 to 64 letters, digits, dots, dashes or underscores`,
    );
  }
  const csv: CsvReadOptions = {};
  if (values.delimiter !== undefined)
    csv.delimiter = values.delimiter as CsvReadOptions["delimiter"];
  if (values.encoding !== undefined) csv.encoding = values.encoding;
  const named: Record<keyof ColumnMap, string | undefined> = {
    pid: values["pid-column"],
    password: values["password-column"],
    source_id: values["source-id-column"],
    reference: values["reference-column"],
  };
  const columns: Partial<ColumnMap> = {};
  for (const [field, name] of Object.entries(named) as [keyof ColumnMap, string | undefined][]) {
    if (name === undefined) continue;
    if (name.trim() === "") throw new UsageError(`${COLUMN_FLAGS[field]}: the name is empty`);
    columns[field] = name;
  }
  return {
    file: positionals[0] as string,
    csv,
    columns,
    sourceId: values["source-id"],
    batch: values.batch,
    sendAt: values["send-at"] === undefined ? undefined : parseSendAt(values["send-at"]),
    rejects: values.rejects,
    dryRun: values["dry-run"] ?? false,
    resend: values.resend ?? false,
  };
}
