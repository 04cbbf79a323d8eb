import { hostname } from "node:os";
import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";

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
  if (usePretty) {
    return pino(base, pretty({ colorize: true, translateTime: "SYS:HH:MM:ss.l", sync: true }));
  }
  return pino(base);
}

/**
 * For one-shot commands whose stdout carries the result a script reads: JSON log lines go to the
 * given stream (stderr) instead.
 */
export function createCommandLogger(level: string, stream: NodeJS.WritableStream): Logger {
  return createLogger({
    level,
    format: "json",
    destination: stream as unknown as DestinationStream,
  });
}

/** A logger that writes nothing, for library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
