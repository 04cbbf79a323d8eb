import { pluralWord } from "../../logging/plural";
import { forTerminal } from "../../logging/terminal-text";
import { CsvError } from "./errors";
import { isRejectsFile } from "./format";
import { unescapeFormula } from "./formula-escape";
import type { CsvHeader } from "./read";
import type { CsvRecord } from "./tokenizer";

/** The header names that hold each job field; matched trimmed and case-insensitively. */
export interface ColumnMap {
  pid: string;
  password: string;
  source_id: string;
  reference: string;
}

export const DEFAULT_COLUMNS: Readonly<ColumnMap> = {
  pid: "pid",
  password: "password",
  source_id: "source_id",
  reference: "reference",
};

/** The command-line flag that names each column, for error messages. */
export const COLUMN_FLAGS: Readonly<ColumnMap> = {
  pid: "--pid-column",
  password: "--password-column",
  source_id: "--source-id-column",
  reference: "--reference-column",
};

type Field = keyof ColumnMap;
const REQUIRED: readonly Field[] = ["pid", "password"];
const OPTIONAL: readonly ("source_id" | "reference")[] = ["source_id", "reference"];
/** A header that lists more names than this is cut short in error messages. */
const NAMES_SHOWN = 20;

/**
 * A row's job fields. `fields` is the raw row, for the rejects file: it holds the password, so
 * never log it. An empty optional cell is left out, so the importer's default applies.
 */
export interface RegistrationRow {
  line: number;
  pid: string;
  password: string;
  source_id?: string;
  reference?: string;
  fields: string[];
}

/** A row that cannot become a job; `error` never quotes a cell. */
export interface RejectedRow {
  line: number;
  error: string;
  fields: string[];
}

type Positions = Partial<Record<Field, number>> & { pid: number; password: number };

/**
 * Turns records into registration rows by column name. Checks the header at once: a missing
 * pid or password column, or a column that appears twice, throws a CsvError on the header line.
 * Rows are then yielded one by one, each either a RegistrationRow or a RejectedRow. The cells of
 * a rejects file, header included, are read back as they were before formatCsvRow escaped them.
 */
export function mapRegistrations(
  header: CsvHeader,
  records: AsyncIterable<CsvRecord>,
  columns: Partial<ColumnMap> = {},
): AsyncIterable<RegistrationRow | RejectedRow> {
  const wanted: ColumnMap = { ...DEFAULT_COLUMNS, ...columns };
  const escaped = isRejectsFile(header);
  const names = escaped ? header.names.map(unescapeFormula) : header.names;
  const positions = locateColumns({ ...header, names }, wanted);
  return mapRecords(records, positions, wanted, escaped);
}

async function* mapRecords(
  records: AsyncIterable<CsvRecord>,
  positions: Positions,
  wanted: ColumnMap,
  escaped: boolean,
): AsyncGenerator<RegistrationRow | RejectedRow> {
  const needed = Math.max(...Object.values(positions)) + 1;
  for await (const { line, fields, error } of records) {
    if (error !== undefined) {
      yield { line, error, fields };
      continue;
    }
    if (escaped) {
      for (let i = 0; i < fields.length; i++) fields[i] = unescapeFormula(fields[i] as string);
    }
    if (fields.length < needed) {
      yield { line, error: `expected ${needed} fields, found ${fields.length}`, fields };
      continue;
    }
    const cell = (field: Field) => {
      const index = positions[field];
      return index === undefined ? "" : (fields[index] as string);
    };
    const pid = cell("pid").trim();
    const password = cell("password");
    const problems: string[] = [];
    if (pid === "") problems.push(`${label("pid", wanted)} is empty`);
    // Kept as it is: the job schema refuses blanks around it, as it does for every producer.
    if (password.trim() === "") problems.push(`${label("password", wanted)} is empty`);
    if (problems.length > 0) {
      yield { line, error: problems.join("; "), fields };
      continue;
    }
    const row: RegistrationRow = { line, pid, password, fields };
    for (const field of OPTIONAL) {
      const value = cell(field).trim();
      if (value !== "") row[field] = value;
    }
    yield row;
  }
}

/** "pid", or 'pid (column "Login")' when the column has another name. */
function label(field: Field, wanted: ColumnMap): string {
  const column = wanted[field].trim();
  return column.toLowerCase() === field ? field : `${field} (column ${JSON.stringify(column)})`;
}

function locateColumns(header: CsvHeader, wanted: ColumnMap): Positions {
  const names = header.names.map((name) => name.trim().toLowerCase());
  const found: Partial<Record<Field, number>> = {};
  const missing: Field[] = [];
  for (const field of [...REQUIRED, ...OPTIONAL]) {
    const column = wanted[field].trim().toLowerCase();
    const index = names.indexOf(column);
    if (index < 0) {
      if (REQUIRED.includes(field)) missing.push(field);
      continue;
    }
    const again = names.indexOf(column, index + 1);
    // Stryker disable next-line EqualityOperator: the search starts after `index`, so a second column is never at 0
    if (again >= 0) {
      throw new CsvError(
        header.line,
        `column ${JSON.stringify(wanted[field].trim())} appears twice (columns ${index + 1} and ` +
          `${again + 1}); rename one, or name the right one with ${COLUMN_FLAGS[field]}`,
      );
    }
    found[field] = index;
  }
  if (missing.length > 0) throw missingColumns(header, wanted, missing);
  return found as Positions;
}

function missingColumns(header: CsvHeader, wanted: ColumnMap, missing: Field[]): CsvError {
  const quoted = missing.map((field) => JSON.stringify(wanted[field].trim()));
  const flags = missing.map((field) => COLUMN_FLAGS[field]);
  // A header is the file's text: each name shown is made safe for a terminal, and capped.
  const shown = header.names.slice(0, NAMES_SHOWN).map((name) => `"${forTerminal(name)}"`);
  if (header.names.length > NAMES_SHOWN) shown.push(`… ${header.names.length - NAMES_SHOWN} more`);
  const delimiter = header.delimiter === "\t" ? "tab" : JSON.stringify(header.delimiter);
  let message =
    `no column named ${quoted.join(" or ")}. The header has ${header.names.length} ` +
    `${pluralWord(header.names.length, "column")} separated by ${delimiter}: ${shown.join(", ")}. ` +
    `Name the column${missing.length === 1 ? "" : "s"} to use with ${flags.join(" and ")}`;
  if (header.names.length === 1) {
    message += ", or give the separator with --delimiter if it is not , ; or tab";
  }
  return new CsvError(header.line, `${message}.`);
}
