import type { BigIntStats } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import { Writable } from "node:stream";
import { readUnchangedFile } from "../import/unchanged-file";
import { createCommandLogger, type Logger } from "../logging/logger";
import { UsageError } from "./command";
import type { ImportProgress } from "./import-progress";

/**
 * The file a command reads rows from (`import`, `onboard`): opened once, its bytes counted for
 * the progress bar, and checked to stay what it was while it is read.
 */
export class InputFile {
  bytesRead = 0;

  private constructor(
    readonly handle: FileHandle,
    readonly totalBytes: number,
    private readonly opened: BigIntStats,
  ) {}

  /**
   * Opens `path`, refusing a directory and, when `rejectsPath` is given, a rejects file that is
   * the input itself (it would be emptied before it is read).
   */
  static async open(path: string, rejectsPath: string | undefined): Promise<InputFile> {
    const handle = await open(path, "r");
    try {
      // What the file is now: if it changes while it is read, the command stops there.
      const opened = await handle.stat({ bigint: true });
      if (opened.isDirectory())
        throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
      if (rejectsPath !== undefined) await refuseSameFile(rejectsPath, opened);
      return new InputFile(handle, Number(opened.size), opened);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The file's bytes from its start, counted into `bytesRead`. */
  async *bytes(): AsyncGenerator<Buffer> {
    for await (const chunk of readUnchangedFile(this.handle, this.opened)) {
      this.bytesRead += chunk.length;
      yield chunk;
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/**
 * `--rejects` naming the input file would empty it before it is read. Compared by stat, not by
 * opening the file: opening a named pipe for reading would wait for a writer that never comes.
 */
async function refuseSameFile(path: string, input: { dev: bigint; ino: bigint }): Promise<void> {
  const rejects = await stat(path, { bigint: true }).catch(() => undefined);
  if (rejects?.dev === input.dev && rejects.ino === input.ino) {
    throw new UsageError("--rejects names the file being imported; give another file");
  }
}

/**
 * The logger of a command that draws a progress bar: warnings only (info lines would drown the
 * progress) unless LOG_LEVEL is set, printed above the bar rather than glued to its end.
 */
export function loggerAboveProgress(
  level: { levelIsDefault: boolean; level: string },
  progress: () => ImportProgress | undefined,
  stderr: NodeJS.WritableStream,
): Logger {
  const above = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      const text = chunk.toString();
      const bar = progress();
      if (bar) bar.line(text.replace(/\n$/, ""));
      else stderr.write(text);
      done();
    },
  });
  return createCommandLogger(level.levelIsDefault ? "warn" : level.level, above);
}
