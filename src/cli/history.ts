import { type Config, loadConfig } from "../config/config";
import { formatDuration } from "../config/duration";
import type { DeliveryRecord } from "../history/delivery-record";
import { historyKeys } from "../history/history-keys";
import { type HistoryQuery, readDeliveryRecord, readNewest } from "../history/history-reader";
import { batchIdProblem, isStoredBatchId } from "../jobs/batch-id-rule";
import { forTerminal, jsonForTerminal } from "../logging/terminal-text";
import { answerWithin } from "../redis/answer-within";
import type { OperatorConnections } from "../wiring/operator";
import { type CommandLine, isHelp, readArguments, readFlags, UsageError } from "./command";
import { describeRecord } from "./history-lines";
import { type CommandIo, EXIT } from "./io";
import { onOperator } from "./operator-command";

const DEFAULT_LIMIT = 50;

export const HISTORY_USAGE = `usage: axelnac-courier history (--pid P | --reference R | --batch ID | --job ID)
                              [--limit N] [--json]

What became of credential deliveries once they finished (delivered, failed for good, or dropped
with their cancelled batch), newest first, from the records the workers keep for
HISTORY_RETENTION: when each finished (local time), its outcome, pid, reference, batch, attempts,
a failure's outcome code and message, the appliance's status and message, and its job id. Never a
password. Writes nothing to Redis.

options:
  --pid P          the deliveries to one guest
  --reference R    the deliveries a producer gave this reference
  --batch ID       a batch's deliveries (report --batch ID gives one CSV row per guest)
  --job ID         one delivery job
  --limit N        at most N deliveries (default ${DEFAULT_LIMIT})
  --json           JSON lines: one delivery record per line, as a JSON object`;

export async function runHistory(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArguments(argv, io, HISTORY_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const request = parsed.args;
  const config = loadConfig();
  return onOperator(config, io, { readOnly: true }, async (operator) => {
    const records = await readRequested(operator, config, request);
    for (const record of records) {
      io.stdout.write(`${request.json ? jsonForTerminal(record) : describeRecord(record)}\n`);
    }
    if (records.length === 0) {
      (request.json ? io.stderr : io.stdout).write(`${nothingFound(request, config)}\n`);
    }
    return EXIT.ok;
  });
}

function readRequested(
  operator: OperatorConnections,
  config: Config,
  request: HistoryRequest,
): Promise<DeliveryRecord[]> {
  const keys = historyKeys(config.redisKeyPrefix, config.queue.name);
  const { redis, deadline } = operator;
  if ("job" in request) {
    return answerWithin(readDeliveryRecord(redis, keys, request.job), deadline).then((record) =>
      record ? [record] : [],
    );
  }
  return readNewest(redis, keys, request.query, request.limit, deadline);
}

/** `no delivery recorded for pid guest-1 (records are kept 90d)`, and why there may be none. */
function nothingFound(request: HistoryRequest, config: Config): string {
  const what =
    "job" in request
      ? `job ${forTerminal(request.job)}`
      : `${request.query.field} ${forTerminal(request.query.value)}`;
  const { retentionMs } = config.history;
  const kept =
    retentionMs === undefined
      ? "HISTORY_RETENTION is off: the workers keep no record"
      : `records are kept ${retentionWords(retentionMs)} after a delivery finishes`;
  return `no delivery recorded for ${what} (${kept})`;
}

/** `90d` as the setting is usually written; other lengths as formatDuration writes them. */
function retentionWords(ms: number): string {
  const day = 86_400_000;
  return ms % day === 0 ? `${ms / day}d` : formatDuration(ms);
}

type HistoryRequest = ({ job: string } | { query: HistoryQuery; limit: number }) & {
  json: boolean;
};

const HISTORY_COMMAND_LINE: CommandLine<HistoryRequest> = {
  usage: HISTORY_USAGE,
  prefix: "history: ",
  blankLine: false,
  parse,
};

function parse(argv: string[]): HistoryRequest | "help" {
  if (isHelp(argv[0])) return "help";
  const values = readFlags(argv, {
    pid: { type: "string" },
    reference: { type: "string" },
    batch: { type: "string" },
    job: { type: "string" },
    limit: { type: "string" },
    json: { type: "boolean", default: false },
  });
  const chosen = (["pid", "reference", "batch", "job"] as const).filter(
    (name) => values[name] !== undefined,
  );
  if (chosen.length !== 1) {
    throw new UsageError(
      chosen.length === 0
        ? "say whose deliveries: --pid P, --reference R, --batch ID or --job ID"
        : `give only one of --pid, --reference, --batch and --job (got ${chosen.map((name) => `--${name}`).join(", ")})`,
    );
  }
  const [field] = chosen as [(typeof chosen)[number]];
  const value = values[field] as string;
  if (value === "") throw new UsageError(`--${field} needs a value`);
  if (field === "batch" && !isStoredBatchId(value)) {
    throw new UsageError(
      `--batch: "${forTerminal(value)}" ${batchIdProblem(value) ?? "is not a batch id"}`,
    );
  }
  const { json } = values;
  if (field === "job") {
    if (values.limit !== undefined)
      throw new UsageError("--limit goes with --pid, --reference or --batch");
    return { job: value, json };
  }
  return { query: { field, value }, limit: parseLimit(values.limit), json };
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(limit) || limit < 1) {
    throw new UsageError(`--limit: "${forTerminal(text)}" is not a whole number of 1 or more`);
  }
  return limit;
}
