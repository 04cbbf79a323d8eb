import { CsvError } from "./errors";
import type { CsvDelimiter } from "./options";

/**
 * One row as it is in the file; `line` is the file line where it starts (header = 1). A row over
 * a size limit has no fields, only `error`, the limit it broke.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
  error?: string;
}

/** The longest field kept, in characters: no job field comes near it. */
export const FIELD_LIMIT = 64 * 1024;
/** The longest row kept, in characters, delimiters included. */
export const ROW_LIMIT = 1024 * 1024;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

enum State {
  /** Nothing of the field read yet: a quote here opens a quoted field. */
  FieldStart = 0,
  /** Outside quotes: a quote is a literal character. */
  Unquoted = 1,
  Quoted = 2,
  /** A quote inside a quoted field: either the first of "" or the closing quote. */
  QuotedQuote = 3,
}

/**
 * RFC 4180 records from text pushed in chunks of any size, split anywhere. CRLF, LF and a lone
 * CR (old Mac exports) end a record outside quotes; inside quotes they are data and still count
 * as lines, so each record knows the line it starts on. Lenient where spreadsheets are: a quote
 * inside an unquoted field is literal, text after a closing quote is kept, rows whose cells are
 * all blank (empty lines, Excel's ";;;" rows) are skipped.
 *
 * Memory stays bounded whatever the file holds: once a field passes FIELD_LIMIT or a row
 * ROW_LIMIT, the rest of the row is read only for its quotes and line breaks, its text dropped,
 * and the row comes out as an error naming the limit.
 */
export class CsvTokenizer {
  readonly #delimiter: number;
  #state = State.FieldStart;
  #fields: string[] = [];
  #field = "";
  /** Characters of the row so far, delimiters included. */
  #rowLength = 0;
  /** The limit the row broke: the rest of it is dropped as it is read. */
  #oversize: string | undefined;
  /** The line being read. */
  #line = 1;
  #recordLine = 1;
  #quoteLine = 1;
  /** The last character was a CR: an LF now completes that line break rather than adding one. */
  #afterCR = false;

  constructor(delimiter: CsvDelimiter) {
    this.#delimiter = delimiter.charCodeAt(0);
  }

  /** The line of the record being read: where text read so far stops being whole records. */
  get recordLine(): number {
    return this.#recordLine;
  }

  push(text: string): CsvRecord[] {
    const records: CsvRecord[] = [];
    const n = text.length;
    let i = 0;
    if (n > 0 && this.#afterCR) {
      this.#afterCR = false;
      if (text.charCodeAt(0) === LF) {
        if (this.#state === State.Quoted) this.#append("\n");
        i = 1;
      }
    }
    while (i < n) {
      const c = text.charCodeAt(i);
      if (this.#state === State.Quoted) {
        i = this.#quoted(text, i, c);
      } else if (this.#state === State.QuotedQuote) {
        if (c === QUOTE) {
          this.#append('"');
          this.#state = State.Quoted;
          i++;
        } else {
          this.#state = State.Unquoted;
        }
      } else if (c === this.#delimiter) {
        this.#endField();
        this.#state = State.FieldStart;
        i++;
      } else if (c === LF || c === CR) {
        this.#endRecord(records);
        i = this.#lineBreak(text, i, c);
        this.#recordLine = this.#line;
      } else if (c === QUOTE && this.#state === State.FieldStart) {
        this.#state = State.Quoted;
        this.#quoteLine = this.#line;
        i++;
      } else {
        i = this.#unquoted(text, i);
      }
    }
    return records;
  }

  /** The last record, if the file does not end with a line break. */
  end(): CsvRecord[] {
    if (this.#state === State.Quoted) {
      throw new CsvError(
        this.#quoteLine,
        'a quoted field starting on this line is never closed (a missing closing ")',
      );
    }
    const records: CsvRecord[] = [];
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral,LogicalOperator: #endRecord drops a record with no content, so ending an empty one changes nothing
    const begun = this.#fields.length > 0 || this.#field !== "" || this.#state !== State.FieldStart;
    if (begun || this.#oversize !== undefined) this.#endRecord(records);
    return records;
  }

  /** Reads a run of quoted data up to the next quote or line break, or handles that character. */
  #quoted(text: string, start: number, c: number): number {
    if (c === QUOTE) {
      this.#state = State.QuotedQuote;
      return start + 1;
    }
    if (c === LF || c === CR) {
      this.#append(c === LF ? "\n" : "\r");
      return this.#lineBreak(text, start, c);
    }
    let end = start + 1;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: this run is a shortcut; the main loop reads any character it leaves
    while (end < text.length) {
      const d = text.charCodeAt(end);
      // Stryker disable next-line ConditionalExpression: stopping early is a shortcut; the main loop reads any character it leaves
      if (d === QUOTE || d === LF || d === CR) break;
      end++;
    }
    this.#append(text.slice(start, end));
    return end;
  }

  #unquoted(text: string, start: number): number {
    let end = start + 1;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: this run is a shortcut; the main loop reads any character it leaves
    while (end < text.length) {
      const d = text.charCodeAt(end);
      // Stryker disable next-line ConditionalExpression: stopping early is a shortcut; the main loop reads any character it leaves
      if (d === this.#delimiter || d === LF || d === CR) break;
      end++;
    }
    this.#append(text.slice(start, end));
    this.#state = State.Unquoted;
    return end;
  }

  /** Counts the line break at `i` (CRLF once) and returns the index after it. */
  #lineBreak(text: string, i: number, c: number): number {
    this.#line++;
    if (c === LF) return i + 1;
    if (i + 1 === text.length) {
      this.#afterCR = true;
      return i + 1;
    }
    if (text.charCodeAt(i + 1) !== LF) return i + 1;
    if (this.#state === State.Quoted) this.#append("\n");
    return i + 2;
  }

  /** Adds to the field, unless the row is over a limit or this puts it over one. */
  #append(text: string): void {
    if (this.#oversize !== undefined) return;
    this.#rowLength += text.length;
    if (this.#field.length + text.length > FIELD_LIMIT) {
      this.#drop(
        `field ${this.#fields.length + 1} is longer than the limit of ${FIELD_LIMIT} characters (64 KiB)`,
      );
    } else if (this.#rowLength > ROW_LIMIT) {
      this.#drop(`the row is longer than the limit of ${ROW_LIMIT} characters (1 MiB)`);
    } else {
      this.#field += text;
    }
  }

  #endField(): void {
    if (this.#oversize !== undefined) return;
    this.#fields.push(this.#field);
    this.#field = "";
    this.#rowLength++;
    if (this.#rowLength > ROW_LIMIT) {
      this.#drop(`the row is longer than the limit of ${ROW_LIMIT} characters (1 MiB)`);
    }
  }

  #drop(reason: string): void {
    this.#oversize = reason;
    this.#fields = [];
    this.#field = "";
  }

  #endRecord(records: CsvRecord[]): void {
    const fields = this.#fields;
    const error = this.#oversize;
    fields.push(this.#field);
    this.#fields = [];
    this.#field = "";
    this.#rowLength = 0;
    this.#oversize = undefined;
    this.#state = State.FieldStart;
    if (error !== undefined) records.push({ line: this.#recordLine, fields: [], error });
    else if (fields.some((field) => field.trim() !== ""))
      records.push({ line: this.#recordLine, fields });
  }
}
