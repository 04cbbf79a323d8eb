import {
  type BatchStatus,
  readBatchStatus,
  readQueueStatus,
  recentBatchIds,
  UnknownBatchError,
} from "../batches/batch-status";
import { loadConfig } from "../config/config";
import { parseDuration } from "../config/duration";
import { createCommandLogger } from "../logging/logger";
import { connectOperator, type OperatorConnections } from "../wiring/operator";
import { type CommandLine, readArguments, readFlags, UsageError } from "./command";
import { type CommandIo, EXIT, reportFailure } from "./io";
import { RateMeter } from "./progress-bar";
import { batchProgress, finishedCount, REDRAW, watchBatch } from "./watch-batch";

export const STATUS_USAGE = `usage: axelnac-courier status [--batch ID] [--watch] [--json]

How many credential deliveries are waiting, scheduled, in flight, delivered and failed: for one
batch (an import), or for the whole queue and its recent batches.

options:
  --batch ID        one batch
  --watch           redraw a live progress bar until nothing is left to deliver
  --interval D      how often --watch redraws (default 1s)
  --json            one JSON object: batch, total, waiting, delayed, active, delivered, failed,
                    and a batch's createdAt (without --batch: the queue, and its batches)`;

export async function runStatus(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArguments(argv, io, STATUS_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.args;
  const config = loadConfig();
  const logger = createCommandLogger(config.log.level, io.stderr);
  let operator: OperatorConnections | undefined;
  try {
    operator = await connectOperator(config, logger);
    const read = () => readStatus(operator as OperatorConnections, args.batch);
    if (!args.watch) {
      const status = await read();
      if (args.json) {
        const batches = args.batch ? undefined : await readRecentBatches(operator);
        io.stdout.write(`${JSON.stringify(batches ? { ...status, batches } : status)}\n`);
      } else {
        io.stdout.write(`${describe(status)}\n`);
        if (!args.batch)
          for (const batch of await readRecentBatches(operator))
            io.stdout.write(`${describe(batch)}\n`);
      }
      return EXIT.ok;
    }
    await watch(read, io, args.intervalMs, args.json);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UnknownBatchError) {
      io.stderr.write(`status: ${error.message}\n`);
      return EXIT.usage;
    }
    return reportFailure(io, error);
  } finally {
    await operator?.close();
  }
}

interface StatusRequest {
  batch: string | undefined;
  watch: boolean;
  intervalMs: number;
  json: boolean;
}

const STATUS_COMMAND_LINE: CommandLine<StatusRequest> = {
  usage: STATUS_USAGE,
  prefix: "status: ",
  blankLine: false,
  parse,
};

function parse(argv: string[]): StatusRequest | "help" {
  const values = readFlags(argv, {
    batch: { type: "string" },
    watch: { type: "boolean", default: false },
    interval: { type: "string", default: "1s" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  let interval: number;
  try {
    interval = parseDuration(values.interval);
  } catch (error) {
    throw new UsageError(`--interval: ${(error as Error).message}`);
  }
  if (values.help) return "help";
  const { batch, watch, json } = values;
  return { batch, watch, json, intervalMs: Math.max(100, interval) };
}

function readStatus(
  operator: OperatorConnections,
  batch: string | undefined,
): Promise<BatchStatus> {
  return batch
    ? readBatchStatus(operator.queue, operator.redis, operator.keys, batch)
    : readQueueStatus(operator.queue, operator.redis, operator.keys);
}

async function readRecentBatches(operator: OperatorConnections): Promise<BatchStatus[]> {
  const ids = await recentBatchIds(operator.redis, operator.keys);
  const statuses = await Promise.all(
    ids.map((id) =>
      readBatchStatus(operator.queue, operator.redis, operator.keys, id).catch(() => undefined),
    ),
  );
  return statuses.filter((s): s is BatchStatus => s !== undefined);
}

function describe(s: BatchStatus): string {
  const name = s.batch === null ? "queue (all jobs)" : `batch ${s.batch}`;
  return `${name.padEnd(28)} total ${s.total}  delivered ${s.delivered}  failed ${s.failed}  in flight ${s.active}  waiting ${s.waiting}  scheduled ${s.delayed}`;
}

/** Redraws until the batch is settled: a bar on a terminal, else a line (or JSON) per read. */
async function watch(
  read: () => Promise<BatchStatus>,
  io: CommandIo,
  intervalMs: number,
  json: boolean,
): Promise<void> {
  const onTerminal = (io.stdout as NodeJS.WriteStream).isTTY === true && !json;
  const rate = new RateMeter();
  await watchBatch({
    read,
    intervalMs,
    onUpdate: (status, last) => {
      const perSecond = rate.add(finishedCount(status));
      if (json) {
        io.stdout.write(`${JSON.stringify(status)}\n`);
      } else if (onTerminal) {
        io.stdout.write(`${REDRAW}${batchProgress(status, perSecond)}`);
      } else {
        io.stdout.write(`${describe(status)}  ${Math.round(perSecond)}/s\n`);
      }
      if (last && onTerminal) io.stdout.write(`\n${describe(status)}\n`);
    },
  });
}
