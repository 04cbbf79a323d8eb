import { PRIORITY_LIMIT } from "bullmq";
import { loadConfig } from "../config/config";
import { formatDuration } from "../config/duration";
import { describeQueueTarget } from "../config/queue-target";
import { validateDeliveryJob } from "../jobs/job-schema";
import { createCommandLogger } from "../logging/logger";
import { forTerminal } from "../logging/terminal-text";
import { type EnqueueOptions, InvalidEnqueueOptionError, InvalidJobError } from "../producer";
import { ONE_SHOT_REDIS_TIMEOUT_MS } from "../redis/connection";
import { connectDeliveryProducer } from "../wiring/producer";
import { type CommandLine, readArguments, readFlags, UsageError } from "./command";
import { type CommandIo, EXIT, reportFailure } from "./io";
import { CANCELLED, PasswordInputError, type PasswordSource, readPassword } from "./read-password";
import { parseSendAt } from "./send-at";

export const ENQUEUE_USAGE = `usage: axelnac-courier enqueue --pid PID [options]

Enqueues one credential delivery: AxelNAC will send guest PID their password by SMS.
The password is read from standard input: typed at a prompt, not echoed, on a terminal;
otherwise the one line piped in, up to the end of the input; more than one line is refused
(e.g. \`printf '%s\\n' "$PW" | axelnac-courier enqueue --pid jdoe\`).

options:
  --pid PID          the guest's user name on AxelNAC (required)
  --source-id ID     the SMS source (default AXELNAC_SOURCE_ID)
  --password PW      the password as an argument, for scripts that cannot pipe it. Avoid it:
                     it stays in shell history and other users can see it in the process list
  --reference REF    your reference, kept with the job
  --batch ID         the batch this delivery belongs to
  --priority N       1 (highest) to 2097151; without one, the job goes before prioritized jobs
  --send-at TIME     deliver no earlier than TIME, ISO 8601 with a time zone:
                     2025-06-01T09:30:00+02:00 or 2025-06-01T07:30:00Z
  --resend           send even if the same password went to PID within DUPLICATE_WINDOW
  --json             print the result as one JSON object: jobId, duplicate, pid, batch
  --help             show this help

The result is one line on stdout: "enqueued delivery JOB for PID [in batch ID]" (the job id is
its third word), "duplicate: …" when the same delivery is already enqueued, or JSON with --json.
Log lines go to stderr: readable on a terminal, JSON otherwise (LOG_FORMAT chooses).

Exit status: 0 enqueued (or already enqueued), 1 Redis failure, 2 bad arguments, 130 cancelled.`;

const FLAGS = {
  pid: { type: "string" },
  "source-id": { type: "string" },
  password: { type: "string" },
  reference: { type: "string" },
  batch: { type: "string" },
  priority: { type: "string" },
  "send-at": { type: "string" },
  resend: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean" },
} as const;

export interface EnqueueIo extends CommandIo {
  /** Defaults to the process' standard input. */
  stdin?: PasswordSource;
}

/** `axelnac-courier enqueue`: one delivery, the password never on screen or in the output. */
export async function runEnqueue(argv: string[], io: EnqueueIo): Promise<number> {
  const parsed = readArguments(argv, io, ENQUEUE_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const request = parsed.args;

  const config = loadConfig();
  const source_id = request.sourceId ?? config.producer.defaultSourceId;
  if (!source_id) {
    io.stderr.write("enqueue: --source-id is required when AXELNAC_SOURCE_ID is not set\n");
    return EXIT.usage;
  }
  const fields = {
    pid: request.pid,
    source_id,
    batch_id: request.batch,
    reference: request.reference,
  };
  // Check everything but the password before asking for it.
  const early = validateDeliveryJob({ ...fields, password: "-" });
  if (!early.ok) {
    io.stderr.write(`enqueue: ${early.reason}\n`);
    return EXIT.usage;
  }

  let password: string | typeof CANCELLED;
  try {
    password =
      request.password ?? (await readPassword(io.stdin ?? process.stdin, io.stderr, request.pid));
  } catch (error) {
    if (!(error instanceof PasswordInputError)) throw error;
    io.stderr.write(`enqueue: ${error.message}\n`);
    return EXIT.usage;
  }
  if (password === CANCELLED) return EXIT.interrupted;
  if (password === "") {
    io.stderr.write("enqueue: the password is empty\n");
    return EXIT.usage;
  }
  // The whole job, password included, is checked before connecting: the same rules as import.
  const checked = validateDeliveryJob({ ...fields, password });
  if (!checked.ok) {
    io.stderr.write(`enqueue: ${checked.reason}\n`);
    return EXIT.usage;
  }

  // stdout carries the one result line scripts read; logs go to stderr.
  io.stderr.write(`${describeQueueTarget(config)}\n`);
  const logger = createCommandLogger(config.log.level, io.stderr, config.log.format);
  let connected: Awaited<ReturnType<typeof connectDeliveryProducer>> | undefined;
  try {
    connected = await connectDeliveryProducer(config, logger, {
      connectionName: "enqueue",
      answerTimeoutMs: ONE_SHOT_REDIS_TIMEOUT_MS,
    });
    const result = await connected.producer.enqueue({ ...fields, password }, request.options);
    const window = formatDuration(config.producer.duplicateWindowMs);
    io.stdout.write(
      request.json
        ? `${JSON.stringify({ jobId: result.jobId, duplicate: result.duplicate, pid: request.pid, batch: request.batch ?? null })}\n`
        : `${describeEnqueued(result, request, window)}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof InvalidJobError || error instanceof InvalidEnqueueOptionError) {
      io.stderr.write(`enqueue: ${error.message}\n`);
      return EXIT.usage;
    }
    return reportFailure(io, error);
  } finally {
    await connected?.close();
  }
}

/** `enqueued delivery expo~1a2b… for jdoe in batch expo`, or why nothing new was enqueued. */
function describeEnqueued(
  result: { jobId: string; duplicate: boolean },
  request: EnqueueRequest,
  duplicateWindow: string,
): string {
  const pid = forTerminal(request.pid);
  const jobId = forTerminal(result.jobId);
  if (result.duplicate) {
    return `duplicate: ${pid} was already enqueued as job ${jobId} within the duplicate window (${duplicateWindow}); use --resend to send again`;
  }
  const batch = request.batch === undefined ? "" : ` in batch ${forTerminal(request.batch)}`;
  return `enqueued delivery ${jobId} for ${pid}${batch}`;
}

interface EnqueueRequest {
  pid: string;
  sourceId: string | undefined;
  password: string | undefined;
  reference: string | undefined;
  batch: string | undefined;
  json: boolean;
  options: EnqueueOptions;
}

const ENQUEUE_COMMAND_LINE: CommandLine<EnqueueRequest> = {
  usage: ENQUEUE_USAGE,
  prefix: "enqueue: ",
  blankLine: true,
  parse: parseFlags,
};

function parseFlags(argv: string[]): EnqueueRequest | "help" {
  const values = readFlags(argv, FLAGS);
  if (values.help) return "help";
  if (!values.pid) throw new UsageError("--pid is required");
  const options: EnqueueOptions = { resend: values.resend ?? false };
  if (values.priority !== undefined) options.priority = parsePriority(values.priority);
  if (values["send-at"] !== undefined) options.sendAt = parseSendAt(values["send-at"]);
  return {
    pid: values.pid,
    sourceId: values["source-id"],
    password: values.password,
    reference: values.reference,
    batch: values.batch,
    json: values.json ?? false,
    options,
  };
}

function parsePriority(text: string): number {
  const priority = Number(text);
  if (!/^\d+$/.test(text) || priority < 1 || priority > PRIORITY_LIMIT) {
    throw new UsageError(
      `--priority: "${text}" is not a whole number from 1 (highest) to ${PRIORITY_LIMIT} (lowest)`,
    );
  }
  return priority;
}
