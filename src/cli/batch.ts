import {
  BatchCancelledError,
  cancelBatch,
  pauseBatch,
  resumeBatch,
} from "../batches/batch-control";
import { readBatchStatus, UnknownBatchError } from "../batches/batch-status";
import { loadConfig } from "../config/config";
import { batchIdProblem, isStoredBatchId } from "../jobs/batch-id-rule";
import { forTerminal } from "../logging/terminal-text";
import { answerWithin } from "../redis/answer-within";
import type { OperatorConnections } from "../wiring/operator";
import { type CommandLine, isHelp, readArguments, UsageError } from "./command";
import { type CommandIo, EXIT } from "./io";
import { onOperator } from "./operator-command";

export const BATCH_USAGE = `usage: axelnac-courier batch pause ID
       axelnac-courier batch resume ID
       axelnac-courier batch cancel ID

pause   hold the batch's deliveries back: the workers take none of its jobs, and spend no attempt,
        until it is resumed; deliveries in flight finish
resume  send its held deliveries again at once (scheduled ones keep their time)
cancel  delete its pending deliveries (and their passwords), counted cancelled in status, for
        good: a job of the batch a worker takes later is dropped; deliveries in flight finish`;

type Action = "pause" | "resume" | "cancel";

export async function runBatch(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArguments(argv, io, BATCH_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const { action, batch } = parsed.args;
  const config = loadConfig();
  const work = async (operator: OperatorConnections) => {
    io.stdout.write(`${await act(operator, action, batch)}\n`);
    return EXIT.ok;
  };
  return onOperator(config, io, {}, work, (error) => {
    if (!(error instanceof UnknownBatchError || error instanceof BatchCancelledError)) {
      return undefined;
    }
    io.stderr.write(`batch: ${forTerminal(error.message)}\n`);
    return EXIT.usage;
  });
}

/** Does it, and says what was done: `batch expo: 812 deliveries cancelled, 8 in flight will finish`. */
async function act(operator: OperatorConnections, action: Action, batch: string): Promise<string> {
  const name = `batch ${forTerminal(batch)}`;
  if (action === "cancel") {
    const { cancelled, inFlight } = await cancelBatch(operator, batch);
    return `${name}: ${deliveries(cancelled)} cancelled, ${inFlight} in flight will finish`;
  }
  if (action === "resume") {
    const { wasPaused, released } = await resumeBatch(operator, batch);
    if (!wasPaused) return `${name} was not paused: nothing to resume`;
    return `${name}: resumed, ${deliveries(released)} held back sent again`;
  }
  await pauseBatch(operator, batch);
  const status = await answerWithin(
    readBatchStatus(operator.queue, operator.redis, operator.keys, batch),
    operator.deadline,
  );
  return `${name}: paused, ${deliveries(status.waiting + status.delayed)} held back, ${status.active} in flight will finish`;
}

const deliveries = (n: number) => `${n} deliver${n === 1 ? "y" : "ies"}`;

const BATCH_COMMAND_LINE: CommandLine<{ action: Action; batch: string }> = {
  usage: BATCH_USAGE,
  prefix: "batch: ",
  blankLine: false,
  parse(argv) {
    const [action, batch, ...rest] = argv;
    if (isHelp(action) || action === "help") return "help";
    if (action !== "pause" && action !== "resume" && action !== "cancel") {
      throw new UsageError(
        action
          ? `unknown action "${forTerminal(action)}": use pause, resume or cancel`
          : "an action is required: pause, resume or cancel",
      );
    }
    if (batch === undefined) throw new UsageError(`${action} needs a batch id`);
    if (!isStoredBatchId(batch)) {
      throw new UsageError(
        `"${forTerminal(batch)}" ${batchIdProblem(batch) ?? "is not a batch id"}`,
      );
    }
    if (rest.length > 0) {
      throw new UsageError(`unexpected arguments: ${forTerminal(rest.join(" "))}`);
    }
    return { action, batch };
  },
};
