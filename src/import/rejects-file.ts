import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { chmod } from "node:fs/promises";
import { type CsvHeader, type RejectsFormat, rejectsFormat } from "./csv";

/**
 * The file of an import's bad rows, in the input's own format plus an `import_error` column, so
 * the admin fixes them in a spreadsheet and imports the file again. It holds the rows' passwords
 * (a re-import needs them): it is created readable by its owner only.
 */
export class RejectsFile {
  readonly #stream: WriteStream;
  readonly #format: RejectsFormat;

  private constructor(stream: WriteStream, format: RejectsFormat) {
    this.#stream = stream;
    this.#format = format;
  }

  /** Creates (or empties) the file and writes its header; rejects if it cannot be opened. */
  static async create(path: string, header: CsvHeader): Promise<RejectsFile> {
    const stream = createWriteStream(path, { mode: 0o600 });
    await once(stream, "open");
    // `mode` applies only to a new file; an older one may be readable by others.
    await chmod(path, 0o600).catch(() => {});
    const file = new RejectsFile(stream, rejectsFormat(header));
    await file.#write(file.#format.header);
    return file;
  }

  /** One bad row; the error column says which line of the input it was, and why. */
  async add(line: number, error: string, fields: readonly string[]): Promise<void> {
    await this.#write(this.#format.row(fields, `line ${line}: ${error}`));
  }

  async close(): Promise<void> {
    const closed = once(this.#stream, "close");
    this.#stream.end();
    await closed;
  }

  async #write(text: string): Promise<void> {
    // Respect back-pressure: 100,000 bad rows must not pile up in memory.
    if (!this.#stream.write(text)) await once(this.#stream, "drain");
  }
}
