import { TextDecoder } from "node:util";
import { sniffByteOrderMark } from "./byte-order-mark";
import { CsvError } from "./errors";
import { LineCounter } from "./line-counter";
import { guessUtf16 } from "./utf16-without-mark";

const EMPTY = new Uint8Array(0);
const REPLACEMENT = "\uFFFD";
/** Bytes held back at the start, at least: two UTF-16 characters tell their byte order. */
const HEAD_LENGTH = 4;

/**
 * Turns the file's bytes into text chunk by chunk, in constant memory. A multi-byte character
 * split between chunks decodes right (TextDecoder `stream: true`); a byte order mark is removed
 * and chooses the encoding; bytes that are not valid in the encoding are a CsvError naming the
 * line, never silently replaced: a replaced letter would reach a guest's SMS as "�".
 * String chunks (a stream with setEncoding) are passed through, minus a leading BOM.
 */
export class TextChunkDecoder {
  readonly #lines = new LineCounter();
  #decoder: TextDecoder | undefined;
  /** Bytes held back until it is known whether the file starts with a byte order mark. */
  #head: Uint8Array = EMPTY;
  #started = false;

  constructor(readonly encoding: string) {}

  push(chunk: Uint8Array | string): string {
    if (typeof chunk === "string")
      return this.#emit(this.#started ? chunk : chunk.replace(/^\uFEFF/, ""));
    let bytes = chunk;
    if (this.#decoder === undefined) {
      this.#head = concat(this.#head, bytes);
      if (this.#head.length < HEAD_LENGTH) return "";
      // Stryker disable next-line BooleanLiteral: the head is known not to need more bytes here, so `final` cannot change the answer
      bytes = this.#openDecoder(false);
    }
    return this.#decode(bytes, true);
  }

  /** The text still held back; throws if the file ends inside a multi-byte character. */
  end(): string {
    // Stryker disable next-line BooleanLiteral: a head still waiting for more bytes is not a mark either way
    const bytes = this.#decoder === undefined ? this.#openDecoder(true) : EMPTY;
    return this.#decode(bytes, false);
  }

  #openDecoder(final: boolean): Uint8Array {
    const bom = sniffByteOrderMark(this.#head, final);
    const mark = bom === "more" ? null : bom;
    if (mark === null && !this.encoding.startsWith("utf-16")) {
      const utf16 = guessUtf16(this.#head);
      // Read as UTF-8, its NULs are valid characters: the header would lack "pid", no more.
      if (utf16 !== null) {
        throw new CsvError(
          1,
          `the file looks like ${utf16.toUpperCase()} without a byte-order mark: use --encoding ${utf16}`,
        );
      }
    }
    // The mark's bytes are skipped here, so the decoder must keep any later U+FEFF as data.
    this.#decoder = new TextDecoder(mark?.encoding ?? this.encoding, {
      fatal: true,
      ignoreBOM: true,
    });
    const rest = this.#head.subarray(mark?.length ?? 0);
    this.#head = EMPTY;
    return rest;
  }

  #decode(bytes: Uint8Array, stream: boolean): string {
    const decoder = this.#decoder as TextDecoder;
    let text: string;
    try {
      text = decoder.decode(bytes, { stream });
    } catch {
      throw this.#invalidBytes(decoder.encoding, bytes);
    }
    return this.#emit(text);
  }

  #emit(text: string): string {
    if (text.length > 0) this.#started = true;
    this.#lines.feed(text);
    return text;
  }

  #invalidBytes(encoding: string, chunk: Uint8Array): CsvError {
    const line = this.#errorLine(encoding, chunk);
    if (encoding === "utf-8") {
      return new CsvError(
        line,
        "the file is not valid UTF-8. If it was saved in another encoding, name it with " +
          "--encoding (a Cyrillic Excel export is usually --encoding windows-1251)",
      );
    }
    return new CsvError(line, `the file is not valid ${encoding}; check --encoding`);
  }

  /**
   * The fatal decoder does not say where the bad bytes are, so decode the chunk again leniently
   * and count the lines before the first replacement character. Leading UTF-8 continuation bytes
   * finish a character begun in the previous chunk and are valid; skip them.
   */
  #errorLine(encoding: string, chunk: Uint8Array): number {
    let start = 0;
    if (encoding === "utf-8") {
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: only continuation bytes are skipped, and more than three in a row are invalid on their own line anyway
      while (start < 3 && start < chunk.length && ((chunk[start] as number) & 0xc0) === 0x80) {
        start++;
      }
    }
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: a U+FEFF dropped or kept does not change the line count
    const lenient = new TextDecoder(encoding, { ignoreBOM: true }).decode(chunk.subarray(start));
    const bad = lenient.indexOf(REPLACEMENT);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: at 0 and when the fatal error comes at the end, both branches give the current line
    return bad < 0 ? this.#lines.line : this.#lines.lineAfter(lenient.slice(0, bad));
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  // Stryker disable next-line ConditionalExpression: copying an empty head gives the same bytes
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/** The input's text, chunk by chunk; see TextChunkDecoder. */
export async function* decodeText(
  input: AsyncIterable<Uint8Array | string>,
  encoding: string,
): AsyncGenerator<string> {
  const decoder = new TextChunkDecoder(encoding);
  for await (const chunk of input) {
    const text = decoder.push(chunk);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty chunk of text tokenizes to nothing
    if (text.length > 0) yield text;
  }
  const rest = decoder.end();
  // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty chunk of text tokenizes to nothing (the test of a one-byte file catches a lost rest)
  if (rest.length > 0) yield rest;
}
