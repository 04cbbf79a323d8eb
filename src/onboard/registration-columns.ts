import { CsvError } from "../import/csv/errors";
import type { CsvHeader } from "../import/csv/read";
import { plural } from "../logging/plural";
import { forTerminal } from "../logging/terminal-text";
import {
  KNOWN_HEADERS,
  knownField,
  nameOrderOf,
  ONBOARD_FIELDS,
  type OnboardField,
} from "./known-headers";
import type { NameOrder } from "./person-name";

export type { OnboardField } from "./known-headers";

/** Column names given on the command line, each replacing the known headers of its field. */
export type OnboardColumnNames = Partial<Record<OnboardField, string>>;

/** The command-line flag that names each field's column, for error messages. */
export const ONBOARD_COLUMN_FLAGS: Readonly<Record<OnboardField, string>> = {
  fullName: "--name-column",
  firstName: "--first-name-column",
  lastName: "--last-name-column",
  email: "--email-column",
  phone: "--phone-column",
  company: "--company-column",
};

/** A column by its place in the row (from 0) and its header as the file wrote it. */
export interface LocatedColumn {
  index: number;
  name: string;
}

/**
 * Where each field of a guest is in a row. There is always a phone column. Names come either
 * from one full-name column or from first and last name columns, or not at all.
 */
export interface RegistrationColumns {
  phone: LocatedColumn;
  fullName?: LocatedColumn & { order: NameOrder };
  firstName?: LocatedColumn;
  lastName?: LocatedColumn;
  email?: LocatedColumn;
  company?: LocatedColumn;
}

/** The field, as the messages about a column call it. */
const FIELD_WORDS: Readonly<Record<OnboardField, string>> = {
  fullName: "the full name",
  firstName: "the first name",
  lastName: "the last name",
  email: "the e-mail address",
  phone: "the phone number",
  company: "the company",
};

/** A header that lists more names than this is cut short in error messages. */
const NAMES_SHOWN = 20;
/** Longest header name shown whole in an error message. */
const NAME_SHOWN = 64;

type Found = Partial<Record<OnboardField, LocatedColumn & { byFlag: boolean }>>;

/**
 * Finds each field's column in a registration export's header: the column its flag names
 * (trimmed, in any case), else the one column whose header is known for it. Extra columns are
 * ignored. Throws a CsvError on the header line when there is no phone column, a flag names a
 * column that is not there or appears twice, two flags name one column, or two columns both
 * look like one field.
 */
export function locateRegistrationColumns(
  header: CsvHeader,
  columns: OnboardColumnNames = {},
): RegistrationColumns {
  const found: Found = {};
  const taken = new Map<number, OnboardField>();
  for (const field of ONBOARD_FIELDS) {
    const wanted = columns[field];
    if (wanted === undefined) continue;
    const index = namedColumn(header, field, wanted);
    const other = taken.get(index);
    if (other !== undefined) {
      throw new CsvError(
        header.line,
        `${ONBOARD_COLUMN_FLAGS[other]} and ${ONBOARD_COLUMN_FLAGS[field]} both name ` +
          `column ${columnLabel(header, index)}.`,
      );
    }
    taken.set(index, field);
    found[field] = { index, name: header.names[index] as string, byFlag: true };
  }
  for (const field of ONBOARD_FIELDS) {
    if (found[field] !== undefined) continue;
    const matches = header.names
      .map((name, index) => ({ name, index }))
      .filter(({ name, index }) => !taken.has(index) && knownField(name) === field);
    const [first, second] = matches;
    if (second !== undefined) {
      throw new CsvError(
        header.line,
        `columns ${columnLabel(header, (first as LocatedColumn).index)} and ` +
          `${columnLabel(header, second.index)} both look like ${FIELD_WORDS[field]}; ` +
          `name the one to use with ${ONBOARD_COLUMN_FLAGS[field]}.`,
      );
    }
    if (first !== undefined) found[field] = { ...first, byFlag: false };
  }
  return chooseColumns(header, found);
}

/** The index of the column a flag names, or a CsvError saying why there is none. */
function namedColumn(header: CsvHeader, field: OnboardField, wanted: string): number {
  const key = wanted.trim().toLowerCase();
  const indexes = header.names.flatMap((name, index) =>
    name.trim().toLowerCase() === key ? [index] : [],
  );
  const flagged = `${quoted(wanted.trim())} (${ONBOARD_COLUMN_FLAGS[field]})`;
  const [index, again] = indexes;
  if (index === undefined) {
    const hint = oneColumn(header) ? `; give the separator with ${DELIMITER_FLAG}` : "";
    throw new CsvError(
      header.line,
      `no column named ${flagged}. ${describeHeader(header)}${hint}.`,
    );
  }
  if (again !== undefined) {
    throw new CsvError(
      header.line,
      `column ${flagged} appears twice, as columns ${index + 1} and ${again + 1}; rename one of them.`,
    );
  }
  return index;
}

/** The columns to read, once all are found: a phone column is required. */
function chooseColumns(header: CsvHeader, found: Found): RegistrationColumns {
  const { phone, fullName, firstName, lastName, email, company } = found;
  if (phone === undefined) {
    const known = KNOWN_HEADERS.phone.join(", ");
    const hint = oneColumn(header) ? `, or give the separator with ${DELIMITER_FLAG}` : "";
    throw new CsvError(
      header.line,
      `no phone number column: no column has a name known for one (${known}). ` +
        `${describeHeader(header)}. Name the column to use with ${ONBOARD_COLUMN_FLAGS.phone}${hint}.`,
    );
  }
  const located: RegistrationColumns = { phone: column(phone) };
  // First and last names are exact; a full name must be split. A flag says which the user meant.
  const partsByFlag = firstName?.byFlag === true || lastName?.byFlag === true;
  const useFullName =
    fullName !== undefined &&
    (fullName.byFlag ? !partsByFlag : firstName === undefined && lastName === undefined);
  if (useFullName) {
    located.fullName = { ...column(fullName), order: nameOrderOf(fullName.name) };
  } else {
    if (firstName !== undefined) located.firstName = column(firstName);
    if (lastName !== undefined) located.lastName = column(lastName);
  }
  if (email !== undefined) located.email = column(email);
  if (company !== undefined) located.company = column(company);
  return located;
}

function column({ index, name }: LocatedColumn): LocatedColumn {
  return { index, name };
}

const DELIMITER_FLAG = "--delimiter if it is not , ; or tab";

function oneColumn(header: CsvHeader): boolean {
  return header.names.length === 1;
}

/** '2 ("Телефон")': a column's number as a spreadsheet counts, and its header. */
function columnLabel(header: CsvHeader, index: number): string {
  return `${index + 1} (${quoted(header.names[index] as string)})`;
}

/** A header is the file's text: each name shown is made safe for a terminal, and capped. */
function quoted(name: string): string {
  return `"${forTerminal(name, NAME_SHOWN)}"`;
}

function describeHeader(header: CsvHeader): string {
  const count = header.names.length;
  const shown = header.names.slice(0, NAMES_SHOWN).map(quoted);
  if (count > NAMES_SHOWN) shown.push(`… ${count - NAMES_SHOWN} more`);
  const delimiter = header.delimiter === "\t" ? "tab" : JSON.stringify(header.delimiter);
  return `The header has ${plural(count, "column")} separated by ${delimiter}: ${shown.join(", ")}`;
}
