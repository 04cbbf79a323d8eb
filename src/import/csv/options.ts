import { InvalidCsvOptionError } from "./errors";

export type CsvDelimiter = "," | ";" | "\t";

export interface CsvReadOptions {
  /** Detected from the header line when absent. "tab" is accepted for command lines. */
  delimiter?: "," | ";" | "\t" | "tab";
  /** Any label TextDecoder accepts ("windows-1251", "cp1251", "koi8-r", "utf-16le"…). */
  encoding?: string;
}

export interface ResolvedCsvOptions {
  delimiter: CsvDelimiter | undefined;
  /** The canonical WHATWG name, e.g. "windows-1251" for "cp1251". */
  encoding: string;
}

/** Validates the options once, at the boundary, so a bad label fails before any I/O. */
export function resolveCsvOptions(options: CsvReadOptions = {}): ResolvedCsvOptions {
  return {
    delimiter: resolveDelimiter(options.delimiter),
    encoding: resolveEncoding(options.encoding),
  };
}

function resolveDelimiter(delimiter: string | undefined): CsvDelimiter | undefined {
  if (delimiter === undefined) return undefined;
  if (delimiter === "tab" || delimiter === "\t") return "\t";
  if (delimiter === "," || delimiter === ";") return delimiter;
  throw new InvalidCsvOptionError(
    "delimiter",
    `${JSON.stringify(delimiter)} is not supported; use ",", ";" or "tab"`,
  );
}

function resolveEncoding(label: string | undefined): string {
  if (label === undefined) return "utf-8";
  try {
    return new TextDecoder(label).encoding; // TextDecoder strips spaces around a label itself
  } catch {
    throw new InvalidCsvOptionError(
      "encoding",
      `unknown encoding ${JSON.stringify(label)}; use a label such as utf-8, windows-1251, ` +
        "koi8-r or utf-16le",
    );
  }
}
