import { escapeFormula } from "./formula-escape";
import type { CsvHeader } from "./read";

/** The rejects file's own column; a re-import ignores it like any extra column. */
export const ERROR_COLUMN = "import_error";
/** RFC 4180's line ending, which every spreadsheet reads. */
const CRLF = "\r\n";
/**
 * The rejects file is UTF-8 with a byte order mark: Excel then shows non-Latin names right, and
 * the reader lets the mark win over --encoding, so the fixed file re-imports with the same flags.
 */
const BOM = "\uFEFF";

/**
 * One CSV row without its line ending, for a spreadsheet. A field a spreadsheet would run as a
 * formula is escaped (see escapeFormula) and quoted. A field is also quoted, with its quotes
 * doubled, when it holds the delimiter, a quote or a line break, or starts or ends with a space
 * (which some spreadsheets would otherwise drop).
 */
export function formatCsvRow(fields: readonly string[], delimiter: string): string {
  const separator = delimiter === "tab" ? "\t" : delimiter;
  return fields.map((field) => formatField(field, separator)).join(separator);
}

function formatField(cell: string, delimiter: string): string {
  const field = escapeFormula(cell);
  const needsQuotes =
    field !== cell ||
    field.includes(delimiter) ||
    /["\r\n]/.test(field) ||
    (field !== "" && field.trim() !== field);
  return needsQuotes ? `"${field.replaceAll('"', '""')}"` : field;
}

/** A rejects file, recognised by its first column: its cells were escaped by formatCsvRow. */
export function isRejectsFile(header: CsvHeader): boolean {
  return header.names[0]?.toLowerCase() === ERROR_COLUMN;
}

export interface RejectsFormat {
  /** The first line of the file: BOM, the error column, then the input's header. */
  header: string;
  /** A rejected row: the reason, then the row's cells as read. Ends with CRLF. */
  row(fields: readonly string[], error: string): string;
}

/**
 * Lines for a rejects file the admin can fix in a spreadsheet and import again: same delimiter
 * and columns as the input, the reason in a leading "import_error" column. Rejects of a rejects
 * file don't pile up error columns: an input that already starts with one has it replaced.
 */
export function rejectsFormat(header: CsvHeader): RejectsFormat {
  const replaces = isRejectsFile(header);
  const names = replaces ? header.names.slice(1) : header.names;
  const line = (fields: readonly string[]) => formatCsvRow(fields, header.delimiter) + CRLF;
  return {
    header: BOM + line([ERROR_COLUMN, ...names]),
    row: (fields, error) => line([error, ...(replaces ? fields.slice(1) : fields)]),
  };
}
