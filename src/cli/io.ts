import { forTerminal, SENTENCE_LIMIT } from "../logging/terminal-text";

/** Where a command writes; tests pass buffers, the binary passes the process' streams. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export type Command = (argv: string[], io: CommandIo) => Promise<number>;

/**
 * Exit codes shared by every command; 130 is the shell's code for a Ctrl-C, 141 for a command
 * stopped by a closed pipe (SIGPIPE), as `cat` or `git log` are under `| head -1`.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130, closedPipe: 141 } as const;

/**
 * `status | head -1`: once the reader has its line and goes, the next write meets a closed pipe.
 * Node ignores SIGPIPE and reports EPIPE instead, as an error event that would crash the command
 * with a stack trace. Nobody reads any more: the command stops at once, saying nothing, with the
 * code a shell gives a command SIGPIPE stopped. Any other error of a stream is left to crash.
 */
export function exitQuietlyOnClosedPipe(...streams: NodeJS.WritableStream[]): void {
  for (const stream of streams) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      process.exit(EXIT.closedPipe);
    });
  }
}

/**
 * The one line a command prints when it fails for a reason other than its arguments: the code
 * first, to grep for. The message may quote an appliance or a file: it is made safe to print.
 */
export function reportFailure(io: CommandIo, error: unknown): typeof EXIT.failed {
  const { code = "ERROR", message = String(error) } = error as { code?: string; message?: string };
  io.stderr.write(
    `failed: ${forTerminal(String(code))}: ${forTerminal(message, SENTENCE_LIMIT)}\n`,
  );
  return EXIT.failed;
}
