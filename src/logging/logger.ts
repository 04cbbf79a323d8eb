import { hostname } from "node:os";
import pino, { type DestinationStream, type Logger } from "pino";
import { prettyFactory } from "pino-pretty";
import { FIELD_LIMIT, forTerminal, forTerminalDeep, SENTENCE_LIMIT } from "./terminal-text";

export type { Logger };
export type LogFormat = "json" | "pretty" | "auto";

/**
 * Every field name under which a secret can travel. pino's redaction works on paths, so the
 * same names are listed at the top level and one and two levels down (job data, request args,
 * error objects).
 */
const SECRET_FIELDS = ["password", "apiPassword", "token", "authorization", "Authorization"];
export const REDACTED_PATHS = SECRET_FIELDS.flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
  `headers.${field}`,
  `req.headers.${field}`,
]);

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  /** Where lines go; tests pass a sink to read what was written. Defaults to stdout. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const { level = "info", format = "auto", name = "axelnac-courier" } = options;
  const base = {
    name,
    level,
    // `pid` in our log lines is the guest's user name (PacketFence's term); the process id moves aside.
    base: { processId: process.pid, hostname: hostname() },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    serializers: { err: pino.stdSerializers.err },
  };
  if (options.destination) return pino(base, options.destination);
  const usePretty = format === "pretty" || (format === "auto" && process.stdout.isTTY === true);
  return usePretty ? pino(base, prettyOn(pino.destination({ fd: 1, sync: true }))) : pino(base);
}

/**
 * Pretty lines for a person at a terminal. Every string of a record is made safe first (controls
 * escaped, fields capped): a pid or an appliance's message cannot move the cursor, forge a line
 * or reorder text. JSON lines need no such step: JSON escapes every control character, so a value
 * stays one line, and keeps its whole, exact text for the machines that read it.
 */
function prettyOn(stream: { write(text: string): unknown }): DestinationStream {
  const prettify = prettyFactory({ colorize: true, translateTime: "SYS:HH:MM:ss.l" });
  return {
    write(line: string) {
      stream.write(prettify(safeRecord(JSON.parse(line) as Record<string, unknown>)));
    },
  };
}

/** The record with its strings made safe: the message, ours around untrusted parts, may be longer. */
export function safeRecord(record: Record<string, unknown>): Record<string, unknown> {
  const safe = forTerminalDeep(record, FIELD_LIMIT) as Record<string, unknown>;
  if (typeof record.msg === "string") safe.msg = forTerminal(record.msg, SENTENCE_LIMIT);
  return safe;
}

/**
 * For one-shot commands whose stdout carries the result a script reads: log lines go to the given
 * stream (stderr) instead, pretty when it is a terminal and `format` (LOG_FORMAT) is auto, or
 * when it is pretty; JSON otherwise, for the programs that read them.
 */
export function createCommandLogger(
  level: string,
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  format: LogFormat = "json",
): Logger {
  const pretty = format === "pretty" || (format === "auto" && stream.isTTY === true);
  return createLogger({
    level,
    format,
    destination: pretty ? prettyOn(stream) : (stream as unknown as DestinationStream),
  });
}

/** A logger that writes nothing, for library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
