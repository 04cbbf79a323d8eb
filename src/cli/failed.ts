import {
  type FailedJobsChange,
  type FailedSelection,
  purgeFailed,
  retryFailed,
  selectFailed,
  selectFailedIds,
  viewFailed,
} from "../batches/failed-jobs";
import { loadConfig } from "../config/config";
import { createCommandLogger } from "../logging/logger";
import { answerWithin } from "../redis/answer-within";
import { connectOperator, type OperatorConnections } from "../wiring/operator";
import { type CommandLine, isHelp, readArguments, readFlags, UsageError } from "./command";
import { type CommandIo, EXIT, reportFailure } from "./io";

export const FAILED_USAGE = `usage: axelnac-courier failed list  [--batch ID] [--json]
       axelnac-courier failed retry (--batch ID | --id JOB | --all)
       axelnac-courier failed purge (--batch ID | --id JOB | --all)

list   the failed deliveries: job id, pid, reference, attempts, reason
retry  send them round again, each with a fresh set of attempts
purge  delete them (and the passwords they hold); they stay counted as failed in status`;

export async function runFailed(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArguments(argv, io, FAILED_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const { action, selection, json } = parsed.args;

  const config = loadConfig();
  const logger = createCommandLogger(config.log.level, io.stderr);
  let operator: OperatorConnections | undefined;
  try {
    operator = await connectOperator(config, logger);
    const chosen = selection ?? { all: true };
    if (action === "list") {
      const failed = await answerWithin(selectFailed(operator.queue, chosen), operator.deadline);
      const views = failed.map(viewFailed);
      if (json) {
        io.stdout.write(`${JSON.stringify(views)}\n`);
      } else if (views.length === 0) {
        io.stdout.write("no failed deliveries\n");
      } else {
        for (const v of views) {
          io.stdout.write(
            `${v.id}  pid ${v.pid ?? "?"}  reference ${v.reference ?? "-"}  attempts ${v.attempts}  ${v.reason}\n`,
          );
        }
      }
      return EXIT.ok;
    }
    // Ids only: retry and purge never load a job's data, and so never a password.
    const ids = await answerWithin(
      selectFailedIds(operator.queue, operator.redis, chosen),
      operator.deadline,
    );
    const target = { ...operator, ...("batch" in chosen ? { batch: chosen.batch } : {}) };
    const change =
      action === "retry" ? await retryFailed(ids, target) : await purgeFailed(ids, target);
    io.stdout.write(`${describeChange(action, change)}\n`);
    return EXIT.ok;
  } catch (error) {
    return reportFailure(io, error);
  } finally {
    await operator?.close();
  }
}

/** `retried 40 failed deliveries (2 no longer failed: …)` */
function describeChange(action: "retry" | "purge", { changed, gone }: FailedJobsChange): string {
  const done = `${action === "retry" ? "retried" : "purged"} ${changed} failed deliver${changed === 1 ? "y" : "ies"}`;
  if (gone === 0) return done;
  return `${done} (${gone} no longer failed when their turn came: retried or purged meanwhile by someone else, or expired)`;
}

interface FailedRequest {
  action: "list" | "retry" | "purge";
  /** Without one, `list` lists every failed delivery; `retry` and `purge` need one. */
  selection: FailedSelection | undefined;
  json: boolean;
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
  });
  const chosen = [values.batch !== undefined, values.id !== undefined, values.all].filter(
    Boolean,
  ).length;
  if (chosen > 1) throw new UsageError("give only one of --batch, --id and --all");
  const selection: FailedSelection | undefined =
    values.batch !== undefined
      ? { batch: values.batch }
      : values.id !== undefined
        ? { id: values.id }
        : values.all
          ? { all: true }
          : undefined;
  return { selection, json: values.json };
}
