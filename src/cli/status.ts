import {
  type BatchStatus,
  readBatchStatus,
  readQueueStatus,
  recentBatchIds,
  UnknownBatchError,
} from "../batches/batch-status";
import { type Config, loadConfig } from "../config/config";
import { parseDuration } from "../config/duration";
import { createCommandLogger } from "../logging/logger";
import { forTerminal } from "../logging/terminal-text";
import { answerWithin } from "../redis/answer-within";
import { connectOperator, type OperatorConnections } from "../wiring/operator";
import { type FleetPauseStatus, fleetPauseKey, readFleetPause } from "../worker/fleet-pause-record";
import { type CommandLine, readArguments, readFlags, UsageError } from "./command";
import { type CommandIo, EXIT, reportFailure } from "./io";
import { describePause } from "./pause-line";
import { RateMeter } from "./progress-bar";
import { batchProgress, finishedCount, REDRAW, watchBatch } from "./watch-batch";

export const STATUS_USAGE = `usage: axelnac-courier status [--batch ID] [--watch] [--json]

How many credential deliveries are waiting, scheduled, in flight, delivered and failed: for one
batch (an import), or for the whole queue and its recent batches. While every worker is paused (the
appliance throttled them, or is unavailable), a line says why and for how long. An onboarded batch
also shows its guests' accounts: created, reset, existing, refused by the appliance, pending.

options:
  --batch ID        one batch
  --watch           redraw a live progress bar until nothing is left to deliver
  --interval D      how often --watch redraws (default 1s)
  --json            one JSON object: batch, total, waiting, delayed, active, delivered, failed,
                    cancelled, paused,
                    a batch's createdAt and accounts, and pause (the fleet pause, or null)
                    (without --batch: the queue, and its batches)`;

export async function runStatus(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArguments(argv, io, STATUS_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.args;
  const config = loadConfig();
  const logger = createCommandLogger(config.log.level, io.stderr);
  let operator: OperatorConnections | undefined;
  try {
    operator = await connectOperator(config, logger);
    const { deadline } = operator;
    const read = () =>
      answerWithin(readStatus(operator as OperatorConnections, config, args.batch), deadline);
    if (!args.watch) {
      const status = await read();
      if (args.json) {
        const batches = args.batch
          ? undefined
          : await answerWithin(readRecentBatches(operator), deadline);
        io.stdout.write(`${JSON.stringify(batches ? { ...status, batches } : status)}\n`);
      } else {
        io.stdout.write(`${describe(status)}\n`);
        if (status.pause) io.stdout.write(`${describePause(status.pause)}\n`);
        if (!args.batch)
          for (const batch of await answerWithin(readRecentBatches(operator), deadline))
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

/** A batch's or the queue's counts, and the fleet pause that holds them back, if one runs. */
type StatusReport = BatchStatus & { pause: FleetPauseStatus | null };

async function readStatus(
  operator: OperatorConnections,
  config: Config,
  batch: string | undefined,
): Promise<StatusReport> {
  const [status, pause] = await Promise.all([
    batch
      ? readBatchStatus(operator.queue, operator.redis, operator.keys, batch)
      : readQueueStatus(operator.queue, operator.redis, operator.keys),
    readFleetPause(operator.redis, fleetPauseKey(config.redisKeyPrefix, config.queue.name)),
  ]);
  return { ...status, pause };
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
  // Batch ids are checked by every producer of ours, but read back from Redis: shown safely all the same.
  const name = s.batch === null ? "queue (all jobs)" : `batch ${forTerminal(s.batch)}`;
  const stopped = `${s.cancelled ? `  cancelled ${s.cancelled}` : ""}${s.paused ? "  (paused)" : ""}`;
  const line = `${name.padEnd(28)} total ${s.total}  delivered ${s.delivered}  failed ${s.failed}  in flight ${s.active}  waiting ${s.waiting}  scheduled ${s.delayed}${stopped}`;
  const a = s.accounts;
  if (!a) return line;
  return `${line}\n${"".padEnd(28)} accounts: guests ${a.guests}  created ${a.created}  reset ${a.reset}  existing ${a.existing}  refused ${a.refused}  pending ${a.pending}`;
}

/** Redraws until the batch is settled: a bar on a terminal, else a line (or JSON) per read. */
async function watch(
  read: () => Promise<StatusReport>,
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
      const { pause } = status;
      if (json) {
        io.stdout.write(`${JSON.stringify(status)}\n`);
      } else if (onTerminal) {
        const paused = pause ? `  paused ${Math.ceil(pause.remainingMs / 1_000)} s more` : "";
        io.stdout.write(`${REDRAW}${batchProgress(status, perSecond)}${paused}`);
      } else {
        io.stdout.write(`${describe(status)}  ${Math.round(perSecond)}/s\n`);
        if (pause) io.stdout.write(`${describePause(pause)}\n`);
      }
      if (last && onTerminal) io.stdout.write(`\n${describe(status)}\n`);
    },
    onRedisUnreachable: (error) => {
      if (onTerminal) io.stdout.write("\n");
      io.stderr.write(`status: ${error.code}: ${error.message}; still trying (Ctrl-C to stop)\n`);
    },
    onRedisBack: () => io.stderr.write("status: Redis answers again\n"),
  });
}
