export { CsvError, InputChangedError, InvalidCsvOptionError } from "./errors";
export { ERROR_COLUMN, formatCsvRow, type RejectsFormat, rejectsFormat } from "./format";
export type { CsvDelimiter, CsvReadOptions } from "./options";
export { type CsvHeader, type CsvReading, readCsv } from "./read";
export {
  COLUMN_FLAGS,
  type ColumnMap,
  DEFAULT_COLUMNS,
  mapRegistrations,
  type RegistrationRow,
  type RejectedRow,
} from "./registrations";
export type { CsvRecord } from "./tokenizer";
