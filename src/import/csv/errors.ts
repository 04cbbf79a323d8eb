/**
 * A registration file that cannot be read as CSV: bad bytes for its encoding, an unterminated
 * quoted field, a header without a required column. `line` is the file line (header = 1) where
 * the problem starts, as an editor or spreadsheet shows it; the message starts "line N: ".
 * Messages never quote a cell's value: the cell may hold a guest's password.
 */
export class CsvError extends Error {
  override name = "CsvError";
  readonly code = "COURIER_CSV_INVALID";

  constructor(
    readonly line: number,
    /** What is wrong, without the line: for a report that shows the line in a column of its own. */
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

/**
 * A reader option that cannot be honoured (an encoding label TextDecoder does not know, a
 * delimiter other than comma, semicolon or tab). Thrown before any byte is read.
 */
export class InvalidCsvOptionError extends Error {
  override name = "InvalidCsvOptionError";
  readonly code = "COURIER_CSV_INVALID_OPTION";

  constructor(
    readonly option: "delimiter" | "encoding",
    problem: string,
  ) {
    super(`${option}: ${problem}`);
  }
}

/**
 * Thrown by an input that finds it changed while it was read (a file cut short, or still being
 * written). readCsv turns it into a CsvError on the line it had reached, so no cut row is read
 * as a whole one; `message` is the problem, without the line.
 */
export class InputChangedError extends Error {
  override name = "InputChangedError";
}
