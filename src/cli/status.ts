import {
  type BatchStatus,
  readBatchStatus,
  readQueueStatus,
  recentBatchIds,
  UnknownBatchError,
} from "../batches/batch-status";
import { type Config, loadConfig } from "../config/config";
import { parseDuration } from "../config/duration";
import { batchIdProblem, isStoredBatchId } from "../jobs/batch-id-rule";
import { forTerminal } from "../logging/terminal-text";
import { answerWithin } from "../redis/answer-within";
import type { OperatorConnections } from "../wiring/operator";
import { fleetPauseKey, readFleetPause } from "../worker/fleet-pause-record";
import { countWorkers, workersKey } from "../worker/worker-presence";
import { type CommandLine, readArguments, readFlags, UsageError } from "./command";
import { type CommandIo, EXIT } from "./io";
import { onOperator } from "./operator-command";
import { describePause, pauseReason } from "./pause-line";
import { RateMeter } from "./progress-bar";
import {
  describeCounts,
  describeReport,
  describeWorkers,
  hasWorkLeft,
  type StatusReport,
  terminalLine,
} from "./status-lines";
import { finishedCount, REDRAW, watchBatch } from "./watch-batch";

export const STATUS_USAGE = `usage: axelnac-courier status [--batch ID] [--watch] [--json]

How many credential deliveries are waiting, scheduled, in flight, delivered and failed: for one
batch (an import; its guests, each counted once however often imported), or for the whole queue
and its recent batches; and how many workers serve the queue. While every worker is paused (the
appliance throttles them, is unreachable, or refuses the API account), a line says why and for how
long. An onboarded batch also shows its guests' accounts: created, reset, existing, refused by the
appliance, pending.

options:
  --batch ID        one batch
  --watch           redraw a live progress bar of the deliveries delivered (failed ones beside
                    it) until nothing is left to deliver; with --batch, exit 1 if any failed
  --interval D      how often --watch redraws (default 1s)
  --json            one JSON object: batch, total, waiting, delayed, active, delivered, failed,
                    cancelled, paused, nextDueAt, a batch's createdAt, totalKnown and
                    accounts, workers, and pause (the fleet pause, or null)
                    (without --batch: the queue, and its batches)`;

export async function runStatus(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArguments(argv, io, STATUS_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.args;
  const config = loadConfig();
  const work = async (operator: OperatorConnections) => {
    const { deadline } = operator;
    const read = () => answerWithin(readStatus(operator, config, args.batch), deadline);
    if (!args.watch) {
      const status = await read();
      if (args.json) {
        const batches = args.batch
          ? undefined
          : await answerWithin(readRecentBatches(operator), deadline);
        io.stdout.write(`${JSON.stringify(batches ? { ...status, batches } : status)}\n`);
      } else {
        io.stdout.write(`${describeReport(status)}\n`);
        if (!args.batch)
          for (const batch of await answerWithin(readRecentBatches(operator), deadline))
            io.stdout.write(`${describeCounts(batch)}\n`);
      }
      return EXIT.ok;
    }
    const last = await watch(read, io, args.intervalMs, args.json);
    // A failed delivery is not done: a script waiting on a batch learns it from the exit status.
    // The whole queue's failed count never goes down, so it says nothing of this watch.
    return args.batch && last.failed > 0 ? EXIT.failed : EXIT.ok;
  };
  return onOperator(config, io, { readOnly: true }, work, (error) => {
    if (!(error instanceof UnknownBatchError)) return undefined;
    io.stderr.write(`status: ${error.message}\n`);
    return EXIT.usage;
  });
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
  if (batch !== undefined && !isStoredBatchId(batch)) {
    throw new UsageError(
      `--batch: "${forTerminal(batch)}" ${batchIdProblem(batch) ?? "is not a batch id"}`,
    );
  }
  return { batch, watch, json, intervalMs: Math.max(100, interval) };
}

async function readStatus(
  operator: OperatorConnections,
  config: Config,
  batch: string | undefined,
): Promise<StatusReport> {
  const [status, pause, workers] = await Promise.all([
    batch
      ? readBatchStatus(operator.queue, operator.redis, operator.keys, batch)
      : readQueueStatus(operator.queue, operator.redis, operator.keys),
    readFleetPause(operator.redis, fleetPauseKey(config.redisKeyPrefix, config.queue.name)),
    countWorkers(operator.redis, workersKey(config.redisKeyPrefix, config.queue.name)),
  ]);
  return { ...status, pause: pause && { ...pause, reason: pauseReason(pause) }, workers };
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

/** Redraws until the batch is settled: a bar on a terminal, else a line (or JSON) per read. */
async function watch(
  read: () => Promise<StatusReport>,
  io: CommandIo,
  intervalMs: number,
  json: boolean,
): Promise<StatusReport> {
  const onTerminal = (io.stdout as NodeJS.WriteStream).isTTY === true && !json;
  const rate = new RateMeter();
  let saidNoWorker = false;
  return watchBatch({
    read,
    intervalMs,
    onUpdate: (status, last) => {
      const perSecond = rate.add(finishedCount(status));
      if (json) {
        io.stdout.write(`${JSON.stringify(status)}\n`);
      } else if (onTerminal) {
        io.stdout.write(`${REDRAW}${terminalLine(status, perSecond)}`);
      } else {
        io.stdout.write(`${describeCounts(status)}  ${Math.round(perSecond)}/s\n`);
        // Said when it starts holding the batch back, not at every read.
        const noWorker = status.workers === 0 && hasWorkLeft(status);
        if (noWorker && !saidNoWorker) io.stdout.write(`${describeWorkers(status)}\n`);
        saidNoWorker = noWorker;
        if (status.pause) io.stdout.write(`${describePause(status.pause)}\n`);
      }
      if (last && onTerminal) io.stdout.write(`\n${describeCounts(status)}\n`);
    },
    onRedisUnreachable: (error) => {
      if (onTerminal) io.stdout.write("\n");
      io.stderr.write(`status: ${error.code}: ${error.message}; still trying (Ctrl-C to stop)\n`);
    },
    onRedisBack: () => io.stderr.write("status: Redis answers again\n"),
  });
}
