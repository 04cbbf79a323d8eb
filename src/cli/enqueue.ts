import { parseArgs } from "node:util";
import { PRIORITY_LIMIT } from "bullmq";
import { loadConfig } from "../config/config";
import { formatDuration } from "../config/duration";
import { validateDeliveryJob } from "../jobs/job-schema";
import { createCommandLogger } from "../logging/logger";
import { type EnqueueOptions, InvalidEnqueueOptionError, InvalidJobError } from "../producer";
import { connectDeliveryProducer } from "../runtime/producer";
import { type CommandIo, EXIT, reportFailure } from "./io";
import { parseSendAt } from "./send-at";

export const ENQUEUE_USAGE = `usage: axelnac-courier enqueue --pid PID [options]

Enqueues one credential delivery: AxelNAC will send guest PID their password by SMS.
The password is read from standard input: typed at a prompt, not echoed, on a terminal;
otherwise the first line (e.g. \`printf '%s\\n' "$PW" | axelnac-courier enqueue --pid jdoe\`).

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
  --help             show this help

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
  help: { type: "boolean" },
} as const;

/** 128 + SIGINT, what a shell reports for a command interrupted by Ctrl-C. */
const EXIT_INTERRUPTED = 130;
/** A one-shot command reports an unreachable Redis instead of waiting for it forever. */
const REDIS_READY_TIMEOUT_MS = 10_000;

/** Where the password comes from; a terminal has `isTTY` and `setRawMode`. */
export type PasswordSource = NodeJS.ReadableStream & {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
  destroy?: () => unknown;
};

export interface EnqueueIo extends CommandIo {
  /** Defaults to the process' standard input. */
  stdin?: PasswordSource;
}

/** A bad flag; the message names it. */
class UsageError extends Error {}

/** `axelnac-courier enqueue`: one delivery, the password never on screen or in the output. */
export async function runEnqueue(argv: string[], io: EnqueueIo): Promise<number> {
  let request: EnqueueRequest;
  try {
    const parsed = parseFlags(argv);
    if (parsed === "help") {
      io.stdout.write(`${ENQUEUE_USAGE}\n`);
      return EXIT.ok;
    }
    request = parsed;
  } catch (error) {
    io.stderr.write(`enqueue: ${(error as Error).message}\n\n${ENQUEUE_USAGE}\n`);
    return EXIT.usage;
  }

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

  const password =
    request.password ?? (await readPassword(io.stdin ?? process.stdin, io.stderr, request.pid));
  if (password === CANCELLED) return EXIT_INTERRUPTED;
  if (password === "") {
    io.stderr.write("enqueue: the password is empty\n");
    return EXIT.usage;
  }

  // stdout carries the one result line scripts read; logs go to stderr.
  const logger = createCommandLogger(config.log.level, io.stderr);
  let runtime: Awaited<ReturnType<typeof connectDeliveryProducer>> | undefined;
  try {
    runtime = await connectDeliveryProducer(config, logger, {
      connectionName: "enqueue",
      readyTimeoutMs: REDIS_READY_TIMEOUT_MS,
    });
    const result = await runtime.producer.enqueue({ ...fields, password }, request.options);
    io.stdout.write(
      result.duplicate
        ? `duplicate: ${request.pid} was already enqueued as job ${result.jobId} within the duplicate window (${formatDuration(config.producer.duplicateWindowMs)}); use --resend to send again\n`
        : `enqueued job ${result.jobId} for ${request.pid}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof InvalidJobError || error instanceof InvalidEnqueueOptionError) {
      io.stderr.write(`enqueue: ${error.message}\n`);
      return EXIT.usage;
    }
    return reportFailure(io, error);
  } finally {
    await runtime?.close();
  }
}

interface EnqueueRequest {
  pid: string;
  sourceId: string | undefined;
  password: string | undefined;
  reference: string | undefined;
  batch: string | undefined;
  options: EnqueueOptions;
}

function parseFlags(argv: string[]): EnqueueRequest | "help" {
  const { values } = parseArgs({
    args: argv,
    options: FLAGS,
    strict: true,
    allowPositionals: false,
  });
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

export const CANCELLED = Symbol("cancelled");

/**
 * The password from standard input: typed at a prompt with echo off on a terminal, else the first
 * line. Resolves `CANCELLED` on Ctrl-C at the prompt.
 */
export function readPassword(
  input: PasswordSource,
  prompt: NodeJS.WritableStream,
  pid: string,
): Promise<string | typeof CANCELLED> {
  if (input.isTTY && input.setRawMode) return readTyped(input, prompt, pid);
  return readFirstLine(input);
}

/** Longest input kept: the schema allows 255 characters, anything past this is surely wrong. */
const MAX_INPUT = 4096;

function readFirstLine(input: PasswordSource): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const finish = (line: string) => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.off("error", onError);
      // The rest is not ours. pause() alone leaves a pipe that stays open holding the process
      // alive until its writer closes it; destroying the stream releases it.
      input.pause();
      input.destroy?.();
      resolve(line.replace(/\r$/, ""));
    };
    const onData = (chunk: string | Buffer) => {
      text += chunk.toString();
      const newline = text.indexOf("\n");
      if (newline >= 0) finish(text.slice(0, newline));
      else if (text.length > MAX_INPUT) finish(text);
    };
    const onEnd = () => finish(text);
    const onError = (error: Error) => {
      input.off("data", onData);
      input.off("end", onEnd);
      reject(error);
    };
    input.setEncoding("utf8");
    input.on("data", onData);
    input.once("end", onEnd);
    input.once("error", onError);
  });
}

function readTyped(
  tty: PasswordSource,
  prompt: NodeJS.WritableStream,
  pid: string,
): Promise<string | typeof CANCELLED> {
  prompt.write(`Password for ${pid}: `);
  tty.setRawMode?.(true);
  tty.setEncoding("utf8");
  tty.resume();
  return new Promise((resolve) => {
    const typed: string[] = [];
    const finish = (result: string | typeof CANCELLED) => {
      tty.off("data", onData);
      tty.off("end", onEnd);
      tty.setRawMode?.(false);
      tty.pause();
      prompt.write("\n");
      resolve(result);
    };
    const onEnd = () => finish(typed.join(""));
    // Raw mode: every key arrives as typed, so Enter, Ctrl-C and erasing are ours to handle.
    const onData = (chunk: string | Buffer) => {
      for (const char of chunk.toString()) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish(typed.join(""));
        if (char === "\u0003") return finish(CANCELLED);
        if (char === "\u007f" || char === "\b") typed.pop();
        else if (char === "\u0015")
          typed.length = 0; // Ctrl-U erases the line
        else if (char === "\u001b")
          return; // an arrow or function key: drop its escape sequence
        else if (char >= " ") typed.push(char);
      }
    };
    tty.on("data", onData);
    tty.once("end", onEnd);
  });
}
