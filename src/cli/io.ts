import { forTerminal, SENTENCE_LIMIT } from "../logging/terminal-text";

/** Where a command writes; tests pass buffers, the binary passes the process' streams. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export type Command = (argv: string[], io: CommandIo) => Promise<number>;

/** Exit codes shared by every command; 130 is the shell's code for a Ctrl-C. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

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
