/*
 * What `axelnac-courier import` says, kept beside the command rather than inside its control
 * flow: the usage, the notes on stderr (the command leads each with `import: `), the advice after
 * a run, and the one summary line on stdout.
 */
import { formatDuration } from "../config/duration";
import { CsvError, InvalidCsvOptionError } from "../import/csv";
import { type ImportCounts, type ImportResult, ImportSetupError } from "../import/importer";
import type { JobProblem } from "../jobs/job-schema";
import { plural } from "../logging/plural";
import { UsageError } from "./command";

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
  --resend                send even to guests who got the same password within DUPLICATE_WINDOW,
                          and every row of a pid the file holds more than once
  --verify-guests         look each guest up on AxelNAC first (GET /api/v1/user/PID, with the
                          fleet's token; the API account needs USERS_READ) and reject the rows of
                          guests it does not know or has no telephone for; with --dry-run it
                          checks without enqueuing (Redis is then needed, for the token)
  --help                  show this help

Bad rows are reported on stderr as "line N: reason" (N as an editor shows it) and do not stop
the others. A row that gives a pid of an earlier row another password or source is a bad row
(without --resend): "pid 'ann' already appears on line 2 ...". The last line on stdout sums up:
  batch ID: N rows, E enqueued, D duplicates skipped, R rejected

Exit status: 0 every row accepted (duplicates included), 1 some rows rejected (the others are
enqueued) or Redis failed, 2 bad arguments or a file that cannot be read (nothing enqueued),
130 interrupted (the rows read so far are enqueued).

When Redis stops answering (10 s) or refuses writes part-way, the import says which rows Redis
confirmed, which chunk it may or may not have written, and which rows were not sent; the summary
then ends with ", U unconfirmed, X not enqueued". Importing the same file again finishes it.`;

/** What the advice after an import depends on. */
export interface ImportChoices {
  dryRun: boolean;
  resend: boolean;
  rejects: string | undefined;
}

const AGAIN = "import the file again: the rows already enqueued are skipped as duplicates";

/** Said at the first Ctrl-C. */
export const STOPPING = "stopping after the rows read so far (Ctrl-C again to stop at once)";

/** The default SMS source (--source-id or AXELNAC_SOURCE_ID) is not one a job may have. */
export function badSourceId(problems: readonly JobProblem[]): string {
  return `--source-id: ${problems.map((problem) => problem.message).join("; ")}`;
}

/** The message for anything that stops the import before its first row. */
export function setupProblem(error: unknown, file: string): string {
  if (error instanceof CsvError) return `${file}: ${error.message}`;
  if (error instanceof InvalidCsvOptionError) return `--${error.message}`;
  if (error instanceof ImportSetupError || error instanceof UsageError) return error.message;
  const { code, message } = error as NodeJS.ErrnoException;
  return `cannot read ${file}: ${code ?? message}${code === "ENOENT" ? " (no such file)" : ""}`;
}

export function rejectsUnwritable(path: string, error: unknown): string {
  const { code = "", message } = error as NodeJS.ErrnoException;
  return `--rejects: cannot write ${path} (${code || message})`;
}

/** `batch import-20260601-0930-1a2b: importing registrations.csv (separator ;)` */
export function starting(
  batchId: string,
  file: string,
  delimiter: string,
  dryRun: boolean,
  doing = "importing",
): string {
  const separator = delimiter === "\t" ? "tab" : delimiter;
  return `batch ${batchId}: ${dryRun ? "checking" : doing} ${file} (separator ${separator})`;
}

export function sendAtPast(sendAt: Date): string {
  return `--send-at ${sendAt.toISOString()} is past: sending now`;
}

/** Redis failed mid-import: what was enqueued stays, and how to finish. */
export function enqueuedBeforeFailure(enqueued: number, choices: ImportChoices): string {
  return (
    `${plural(enqueued, "row was", "rows were")} enqueued before the ` +
    `failure${choices.resend ? "" : `; once it is fixed, ${AGAIN}`}`
  );
}

/** What the admin does next, one sentence a line; none when there is nothing to do. */
export function advice(
  result: ImportResult,
  choices: ImportChoices,
  duplicateWindowMs: number,
): string[] {
  const lines: string[] = [];
  const done = choices.dryRun ? "checked" : "enqueued";
  // Importing again is safe only while the duplicate window protects what this run enqueued.
  const again = choices.dryRun || choices.resend ? "" : ` ${AGAIN}`;
  if (result.stoppedBy) {
    lines.push(
      `the file cannot be read from line ${result.stoppedBy.line} on: the rows before it were ` +
        `${done}, the rest was not read. Fix the file, then${again || " check it again"}`,
    );
  }
  if (result.interruptedAfterLine !== undefined) {
    lines.push(
      `interrupted: the rows up to line ${result.interruptedAfterLine} were ${done}, the rest ` +
        `was not read.${again && ` To finish,${again}`}`,
    );
  }
  if (result.duplicates > 0) {
    const window = formatDuration(duplicateWindowMs);
    lines.push(
      `${plural(result.duplicates, "row was", "rows were")} already enqueued within the ` +
        `duplicate window (${window}) and skipped, so nobody gets a second SMS; --resend sends ` +
        "them again",
    );
  }
  if (result.rows === 0) lines.push("the file holds no rows after its header");
  // The unreadable rest of the file is one entry in the rejects file, not a row to fix there.
  const badRows = result.rejected - (result.stoppedBy ? 1 : 0);
  if (badRows > 0 && choices.rejects !== undefined) {
    lines.push(
      `${plural(badRows, "rejected row is", "rejected rows are")} in ${choices.rejects}: fix ` +
        "them there and import that file",
    );
  } else if (badRows > 0 && again) {
    lines.push(`to get the rejected rows in a file to fix, add --rejects FILE and${again}`);
  }
  return lines;
}

/** The one line on stdout: `batch ID: N rows, E enqueued, D duplicates skipped, R rejected`. */
export function summary(batchId: string, counts: ImportCounts, dryRun: boolean): string {
  const head = `batch ${batchId}: ${plural(counts.rows, "row")}`;
  if (dryRun) {
    return `${head}, ${counts.enqueued} valid, ${counts.rejected} rejected (dry run: nothing enqueued, duplicates not checked)`;
  }
  return `${head}, ${counts.enqueued} enqueued, ${plural(counts.duplicates, "duplicate")} skipped, ${counts.rejected} rejected`;
}
