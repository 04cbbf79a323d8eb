import { Writable } from "node:stream";
import type { Config } from "../../config/config";
import { runImport } from "../import";

export interface ImportOutcome {
  /** The import command's exit status. */
  code: number;
  /** Its summary line: `batch ID: N rows, E enqueued, D duplicates skipped, R rejected`. */
  summary: string;
  /** What it said on stderr (bad rows, problems), for when it did not succeed. */
  messages: string;
}

/**
 * Imports a registrations file with the `import` command itself, as an administrator would run
 * it, into the demo's queue and key prefix, and keeps what it printed for the demo to show.
 */
export async function importRegistrations(
  settings: Config,
  file: string,
  batchId: string,
  sourceId: string,
): Promise<ImportOutcome> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const code = await runImport(
    [file, "--batch", batchId, "--source-id", sourceId],
    { stdout, stderr },
    settings,
  );
  const lines = stdout.text.trim().split("\n");
  return { code, summary: lines[lines.length - 1] ?? "", messages: stderr.text };
}

/** A stream that keeps what is written to it. */
class TextSink extends Writable {
  text = "";

  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}
