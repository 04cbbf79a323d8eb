import { decodeText } from "./decode";
import { DETECTION_LIMIT, detectDelimiter } from "./detect-delimiter";
import { CsvError, InputChangedError } from "./errors";
import { type CsvDelimiter, type CsvReadOptions, resolveCsvOptions } from "./options";
import { type CsvRecord, CsvTokenizer } from "./tokenizer";

export interface CsvHeader {
  /** Column names, trimmed, in file order. */
  names: string[];
  delimiter: CsvDelimiter;
  /** The file line of the header row: 1 unless blank lines precede it. */
  line: number;
}

export interface CsvReading {
  header: Promise<CsvHeader>;
  /** The rows after the header, once: a second iteration yields nothing. */
  records: AsyncIterable<CsvRecord>;
}

/**
 * Reads a registration file as a stream: the header, then one record at a time, so memory stays
 * flat however many rows there are. Options are checked at once (InvalidCsvOptionError); file
 * problems reject `header` or end `records` with a CsvError. Reading starts at the call; it stops
 * when `records` is exhausted or abandoned (`break`), which also closes a Node stream.
 */
export function readCsv(
  input: AsyncIterable<Buffer | Uint8Array | string> | NodeJS.ReadableStream,
  options?: CsvReadOptions,
): CsvReading {
  const resolved = resolveCsvOptions(options);
  const format = { delimiter: resolved.delimiter };
  const rows = tokenize(input, resolved.encoding, format);
  const header = rows.next().then(({ value }): CsvHeader => {
    if (value === undefined) throw new CsvError(1, "the file is empty; expected a header row");
    if (value.error !== undefined) throw new CsvError(value.line, value.error);
    const names = value.fields.map((name) => name.trim());
    return { names, delimiter: format.delimiter ?? ",", line: value.line };
  });
  // A caller that only iterates `records` still gets the error there; don't also crash the process.
  header.catch(() => {});
  return { header, records: afterHeader(header, rows) };
}

/**
 * `rows` without its first record, once the header is known. A plain iterator rather than an
 * async generator: each generator layer costs every record a few promise turns.
 */
function afterHeader(
  header: Promise<CsvHeader>,
  rows: AsyncGenerator<CsvRecord, void, undefined>,
): AsyncIterable<CsvRecord> {
  let started = false;
  const iterator: AsyncIterableIterator<CsvRecord> = {
    next: () => {
      // Stryker disable next-line ConditionalExpression: waiting for the settled header again changes nothing; the check saves a promise turn per record
      if (started) return rows.next();
      return header.then(() => {
        // Stryker disable next-line BooleanLiteral: see above: only saves promise turns
        started = true;
        return rows.next();
      });
    },
    // A `break` in the caller's loop lands here: stop the reader, which closes the input.
    return: async () => {
      await rows.return();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

/**
 * All records, header first. Sets `format.delimiter`, when it was not given, from the first
 * non-empty line before yielding anything. An input that finds it changed ends the records with
 * a CsvError on the line of the record it cut: the records before it are whole.
 */
async function* tokenize(
  input: AsyncIterable<Uint8Array | string>,
  encoding: string,
  format: { delimiter: CsvDelimiter | undefined },
): AsyncGenerator<CsvRecord, void, undefined> {
  let tokenizer: CsvTokenizer | undefined;
  // Detection needs the whole header line: text is held here until a line break arrives.
  let pending = "";
  try {
    for await (const text of decodeText(input, encoding)) {
      if (tokenizer !== undefined) {
        yield* tokenizer.push(text);
        continue;
      }
      pending += text;
      if (format.delimiter === undefined) {
        // Stryker disable next-line ConditionalExpression,Regex,EqualityOperator,LogicalOperator,BooleanLiteral: detectDelimiter itself waits for a line break; this check only spares it a rescan per chunk (buffering everything is caught by the streaming test)
        if (!/[\r\n]/.test(text) && pending.length < DETECTION_LIMIT) continue;
        format.delimiter = detectDelimiter(pending, false);
        if (format.delimiter === undefined) continue;
      }
      tokenizer = new CsvTokenizer(format.delimiter);
      yield* tokenizer.push(pending);
      pending = "";
    }
  } catch (error) {
    if (!(error instanceof InputChangedError)) throw error;
    throw new CsvError(tokenizer?.recordLine ?? 1, error.message);
  }
  format.delimiter ??= detectDelimiter(pending, true);
  tokenizer ??= new CsvTokenizer(format.delimiter);
  yield* tokenizer.push(pending);
  yield* tokenizer.end();
}
