import type { PasswordLine } from "../batches/password-change";
import { CsvError, type CsvReadOptions, mapRegistrations, readCsv } from "../import/csv";
import { deliveryJobSchema } from "../jobs/job-schema";
import { forTerminal } from "../logging/terminal-text";
import { InputFile } from "./input-file";

/**
 * The corrected passwords of `failed retry --passwords FILE`, opened: the header has been read
 * and checked, the rows are read as they are iterated.
 */
export interface PasswordFile {
  lines: AsyncIterable<PasswordLine>;
  close(): Promise<void>;
}

/**
 * Opens a `pid,password` CSV as `import` reads its files (src/import/csv: encodings, byte-order
 * marks, delimiters, size limits, a rejects file read back). Throws a CsvError naming the header
 * line when a column is missing, and the file system's error when it cannot be opened. Each row
 * comes out as a pid and password, or as the problem of its line, which never quotes a password.
 */
export async function openPasswordFile(path: string, csv: CsvReadOptions): Promise<PasswordFile> {
  const file = await InputFile.open(path, undefined);
  try {
    const reading = readCsv(file.bytes(), csv);
    const header = await reading.header;
    const names = header.names.map((name) => name.trim().toLowerCase());
    if (!names.includes("pid") || !names.includes("password")) {
      const shown = header.names.slice(0, 5).map((name) => `"${forTerminal(name)}"`);
      throw new CsvError(
        header.line,
        `the header must name the columns pid and password (it has ${shown.join(", ")}${header.names.length > 5 ? ", …" : ""})`,
      );
    }
    const rows = mapRegistrations(header, reading.records);
    return { lines: checkedLines(rows), close: () => file.close() };
  } catch (error) {
    await file.close();
    throw error;
  }
}

/**
 * The rows, each checked. A file that cannot be read on (bytes its encoding lacks, an unclosed
 * quote, a file changed while read) ends with that problem on its line: a bad line like another.
 */
async function* checkedLines(
  rows: ReturnType<typeof mapRegistrations>,
): AsyncGenerator<PasswordLine> {
  try {
    yield* rowLines(rows);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    yield { line: error.line, problem: error.problem };
  }
}

async function* rowLines(rows: ReturnType<typeof mapRegistrations>): AsyncGenerator<PasswordLine> {
  for await (const row of rows) {
    if ("error" in row) {
      yield { line: row.line, problem: row.error };
      continue;
    }
    // The job contract's own rules, so that the retried job is one the worker accepts; the
    // messages name the rule, never the value.
    const pid = deliveryJobSchema.shape.pid.safeParse(row.pid);
    if (!pid.success) {
      yield { line: row.line, problem: `pid ${pid.error.issues[0]?.message ?? "is not valid"}` };
      continue;
    }
    const password = deliveryJobSchema.shape.password.safeParse(row.password);
    if (!password.success) {
      const rule = password.error.issues[0]?.message ?? "is not valid";
      yield { line: row.line, problem: `the password for ${forTerminal(row.pid)} ${rule}` };
      continue;
    }
    yield { line: row.line, pid: row.pid, password: row.password };
  }
}
