import { UnknownBatchError } from "../batches/batch-status";
import { loadConfig } from "../config/config";
import { type GuestOutcome, type GuestReport, readBatchReport } from "../history/batch-report";
import { historyKeys } from "../history/history-keys";
import { formatCsvRow } from "../import/csv";
import { batchIdProblem, isStoredBatchId } from "../jobs/batch-id-rule";
import { plural } from "../logging/plural";
import { forTerminal } from "../logging/terminal-text";
import type { OperatorConnections } from "../wiring/operator";
import { type CommandLine, isHelp, readArguments, readFlags, UsageError } from "./command";
import { type CommandIo, EXIT } from "./io";
import { onOperator } from "./operator-command";

export const REPORT_USAGE = `usage: axelnac-courier report --batch ID > report.csv

A CSV of one batch on stdout, one row per guest, for the organiser's follow-up, sorted by pid:
  pid, reference, outcome (delivered, failed, cancelled or pending), code, message,
  appliance_status, attempts, enqueued_at, finished_at (ISO 8601, UTC), job_id
The outcome is the guest's latest, as status counts it; the other columns come from the record
of that delivery in the history (empty once HISTORY_RETENTION has passed, and for a pending
guest but the reference). UTF-8 with a byte order mark and CRLF line ends, as spreadsheets read
them; a cell a spreadsheet would run as a formula (=, +, -, @) starts with a ' so that it shows as
text. A line on stderr sums it up. Exit 2 for a batch the queue never had. Writes nothing to Redis.`;

/** The columns, in order. */
const HEADER = [
  "pid",
  "reference",
  "outcome",
  "code",
  "message",
  "appliance_status",
  "attempts",
  "enqueued_at",
  "finished_at",
  "job_id",
];

/** The same byte order mark and line end as the import's rejects file (src/import/csv/format.ts). */
const BOM = "\uFEFF";
const CRLF = "\r\n";

export async function runReport(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArguments(argv, io, REPORT_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const { batch } = parsed.args;
  const config = loadConfig();
  const work = async (operator: OperatorConnections) => {
    const guests = await readBatchReport(
      operator.redis,
      operator.keys,
      historyKeys(config.redisKeyPrefix, config.queue.name),
      batch,
      operator.deadline,
    );
    io.stdout.write(BOM + formatCsvRow(HEADER, ",") + CRLF);
    for (const guest of guests) io.stdout.write(formatCsvRow(reportRow(guest), ",") + CRLF);
    io.stderr.write(`${summary(batch, guests)}\n`);
    return EXIT.ok;
  };
  return onOperator(config, io, { readOnly: true }, work, (error) => {
    if (!(error instanceof UnknownBatchError)) return undefined;
    io.stderr.write(`report: ${forTerminal(error.message)}\n`);
    return EXIT.usage;
  });
}

/** A guest's row: the record's cells when the history has the delivery that stands. */
function reportRow({ guest, outcome, record, reference }: GuestReport): string[] {
  const text = (value: string | number | undefined) => (value === undefined ? "" : String(value));
  // A job without a pid is counted as `job <id>`: its row has no pid, and that job's id.
  const withoutPid = guest.startsWith("job ");
  return [
    withoutPid ? "" : guest,
    text(reference),
    outcome,
    text(record?.code),
    text(record?.message ?? record?.applianceMessage),
    text(record?.applianceStatus),
    text(record?.attempts),
    text(record?.enqueuedAt),
    text(record?.finishedAt),
    record?.jobId ?? (withoutPid ? guest.slice("job ".length) : ""),
  ];
}

/** `batch expo: 5 guests: 3 delivered, 1 failed, 0 cancelled, 1 pending` */
function summary(batch: string, guests: GuestReport[]): string {
  const counts: Record<GuestOutcome, number> = {
    delivered: 0,
    failed: 0,
    cancelled: 0,
    pending: 0,
  };
  for (const { outcome } of guests) counts[outcome]++;
  const parts = Object.entries(counts).map(([outcome, n]) => `${n} ${outcome}`);
  return `batch ${forTerminal(batch)}: ${plural(guests.length, "guest")}: ${parts.join(", ")}`;
}

interface ReportRequest {
  batch: string;
}

const REPORT_COMMAND_LINE: CommandLine<ReportRequest> = {
  usage: REPORT_USAGE,
  prefix: "report: ",
  blankLine: false,
  parse,
};

function parse(argv: string[]): ReportRequest | "help" {
  if (isHelp(argv[0])) return "help";
  const { batch } = readFlags(argv, { batch: { type: "string" } });
  if (batch === undefined) throw new UsageError("--batch ID is required: the batch to report on");
  if (!isStoredBatchId(batch)) {
    throw new UsageError(
      `--batch: "${forTerminal(batch)}" ${batchIdProblem(batch) ?? "is not a batch id"}`,
    );
  }
  return { batch };
}
