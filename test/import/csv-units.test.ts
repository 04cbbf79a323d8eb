/**
 * The CSV reader's parts one by one: byte order marks, delimiter detection, line counting and
 * decoding errors, at the edges the whole-file tests do not reach.
 */
import { sniffByteOrderMark } from "../../src/import/csv/byte-order-mark";
import { decodeText, TextChunkDecoder } from "../../src/import/csv/decode";
import { DETECTION_LIMIT, detectDelimiter } from "../../src/import/csv/detect-delimiter";
import { CsvError, InvalidCsvOptionError } from "../../src/import/csv/errors";
import { LineCounter } from "../../src/import/csv/line-counter";
import { resolveCsvOptions } from "../../src/import/csv/options";
import { readCsv } from "../../src/import/csv/read";
import { CsvTokenizer } from "../../src/import/csv/tokenizer";
import { guessUtf16, UTF16_SNIFF_LENGTH } from "../../src/import/csv/utf16-without-mark";

const bytes = (...values: number[]) => Uint8Array.from(values);
/** windows-1251 bytes of ASCII and lowercase Cyrillic (а…я are 0xE0…0xFF there). */
const cp1251 = (text: string) =>
  Uint8Array.from(
    [...text].map((c) => (c >= "а" && c <= "я" ? c.charCodeAt(0) - 0x430 + 0xe0 : c.charCodeAt(0))),
  );

describe("sniffByteOrderMark", () => {
  it.each([
    ["UTF-8", bytes(0xef, 0xbb, 0xbf, 0x61), { encoding: "utf-8", length: 3 }],
    ["UTF-16LE", bytes(0xff, 0xfe, 0x61, 0x00), { encoding: "utf-16le", length: 2 }],
    ["UTF-16BE", bytes(0xfe, 0xff, 0x00, 0x61), { encoding: "utf-16be", length: 2 }],
  ])("finds the %s mark", (_name, head, mark) => {
    expect(sniffByteOrderMark(head, false)).toEqual(mark);
    expect(sniffByteOrderMark(head, true)).toEqual(mark);
  });

  it.each([
    ["п (0xEF) then a comma", bytes(0xef, 0x2c)],
    ["п then 0xBB then a letter", bytes(0xef, 0xbb, 0x61)],
    ["я (0xFF) then a comma", bytes(0xff, 0x2c)],
    ["ю (0xFE) then a letter", bytes(0xfe, 0x61)],
    ["я then ю", bytes(0xff, 0xff)],
    ["a plain letter", bytes(0x61)],
  ])("takes %s for text, not a mark", (_name, head) => {
    expect(sniffByteOrderMark(head, false)).toBeNull();
  });

  it.each([
    ["nothing yet", bytes()],
    ["0xEF", bytes(0xef)],
    ["0xEF 0xBB", bytes(0xef, 0xbb)],
    ["0xFF", bytes(0xff)],
    ["0xFE", bytes(0xfe)],
  ])("waits for more after %s, unless the file ends there", (_name, head) => {
    expect(sniffByteOrderMark(head, false)).toBe("more");
    expect(sniffByteOrderMark(head, true)).toBeNull();
  });
});

describe("detectDelimiter", () => {
  it.each([
    ["pid;password;phone\n", ";"],
    ["pid\tpassword\n", "\t"],
    ["pid,password\n", ","],
    ["pid\n", ","],
    ["a,b;c\n", ","],
  ])("splits %j on %j (a tie goes to the comma)", (text, delimiter) => {
    expect(detectDelimiter(text, false)).toBe(delimiter);
  });

  it("ignores delimiters inside quotes", () => {
    expect(detectDelimiter('"Ivanov, Ivan";"Moscow, RU";pid\n', false)).toBe(";");
    expect(detectDelimiter('"a;b;c;d",x,y\n', false)).toBe(",");
  });

  it("reads a quoted line break as part of the field, not the end of the line", () => {
    expect(detectDelimiter('"line one\nline, two, three";pid;x\n', false)).toBe(";");
  });

  it("counts a line of tabs only as content: it is a tab-separated header of empty names", () => {
    expect(detectDelimiter("\t\t\npid;password\n", false)).toBe("\t");
  });

  it("lets the first line with content decide, not blank lines before it", () => {
    expect(detectDelimiter("\n\r\n   \npid;password\nx,y,z,w\n", false)).toBe(";");
  });

  it("ends a line at a lone CR", () => {
    expect(detectDelimiter("pid;password\rx,y,z,w", false)).toBe(";");
  });

  it("waits for the end of the first line, unless the text ends or is long enough", () => {
    expect(detectDelimiter("pid;password", false)).toBeUndefined();
    expect(detectDelimiter("pid;password", true)).toBe(";");
    expect(detectDelimiter("", true)).toBe(",");
    const long = `${"a;".repeat(DETECTION_LIMIT / 2)}`;
    expect(detectDelimiter(long.slice(0, DETECTION_LIMIT - 1), false)).toBeUndefined();
    expect(detectDelimiter(long, false)).toBe(";");
  });
});

describe("LineCounter", () => {
  it.each([
    ["a", 1],
    ["a\nb", 2],
    ["a\r\nb", 2],
    ["a\rb", 2],
    ["a\r\n\r\nb\n", 4],
    ["\r\r\n\n", 4],
  ])("counts %j as ending on line %d", (text, line) => {
    const counter = new LineCounter();
    counter.feed(text);
    expect(counter.line).toBe(line);
  });

  it("counts a line break at the very start", () => {
    const counter = new LineCounter();
    counter.feed("\na");
    expect(counter.line).toBe(2);
  });

  it("counts a CRLF split between two chunks once", () => {
    const counter = new LineCounter();
    counter.feed("a\r");
    counter.feed("\nb");
    expect(counter.line).toBe(2);
    counter.feed("\n");
    expect(counter.line).toBe(3);
  });

  it("counts a CR at the end of a chunk followed by text as a line break", () => {
    const counter = new LineCounter();
    counter.feed("a\r");
    counter.feed("b\r");
    counter.feed("");
    counter.feed("\n");
    expect(counter.line).toBe(3);
  });

  it("looks ahead without moving", () => {
    const counter = new LineCounter();
    counter.feed("a\r");
    expect(counter.lineAfter("\nb\nc")).toBe(3);
    expect(counter.line).toBe(2);
    counter.feed("\n");
    expect(counter.line).toBe(2);
  });
});

/** Decodes `chunks` in order; returns the text, or the CsvError it raised. */
function decode(encoding: string, chunks: (Uint8Array | string)[]): string | CsvError {
  const decoder = new TextChunkDecoder(encoding);
  try {
    return chunks.map((chunk) => decoder.push(chunk)).join("") + decoder.end();
  } catch (error) {
    if (error instanceof CsvError) return error;
    throw error;
  }
}

describe("TextChunkDecoder", () => {
  it.each([
    ["п", "пароль,pid\n"],
    ["я", "яна,pid\n"],
    ["ю", "юля,pid\n"],
  ])("reads a windows-1251 file that starts with %s as text, not a mark", (_letter, text) => {
    const input = cp1251(text);
    expect(input[0]).toBeGreaterThanOrEqual(0xef);
    expect(decode("windows-1251", [input])).toBe(text);
    expect(
      decode(
        "windows-1251",
        [...input].map((b) => bytes(b)),
      ),
    ).toBe(text);
  });

  it("reads UTF-16BE with its mark, whatever --encoding says", () => {
    const input = bytes(0xfe, 0xff, 0x04, 0x3f, 0x00, 0x2c, 0x00, 0x61);
    expect(decode("windows-1251", [input])).toBe("п,a");
  });

  it("removes a UTF-8 mark split over three chunks, and keeps a later U+FEFF", () => {
    expect(decode("utf-8", [bytes(0xef), bytes(0xbb), bytes(0xbf, 0x61, 0xef, 0xbb, 0xbf)])).toBe(
      "a\uFEFF",
    );
  });

  it("removes a leading mark from text chunks only", () => {
    expect(decode("utf-8", ["\uFEFFa", "\uFEFFb"])).toBe("a\uFEFFb");
  });

  it("names the line of an invalid UTF-8 byte in a CRLF file", () => {
    const input = new Uint8Array([
      ...Buffer.from("pid,pw\r\nann,1\r\nb"),
      0xff,
      ...Buffer.from("b,2\r\n"),
    ]);
    const error = decode("utf-8", [input]) as CsvError;
    expect(error).toBeInstanceOf(CsvError);
    expect(error.line).toBe(3);
    expect(error.problem).toMatch(/^the file is not valid UTF-8/);
  });

  it("names the line of an invalid byte in a later chunk, after a CRLF split between chunks", () => {
    const first = Buffer.from("pid,pw\r");
    const second = new Uint8Array([...Buffer.from("\nann,1\r\nbob,"), 0xc3, 0x28]);
    const error = decode("utf-8", [first, second]) as CsvError;
    expect(error.line).toBe(3);
  });

  it("says which encoding a non-UTF-8 file broke, without calling it UTF-8", () => {
    // A lone surrogate is not valid UTF-16.
    const input = bytes(0xff, 0xfe, 0x61, 0x00, 0x0a, 0x00, 0x00, 0xd8, 0x61, 0x00);
    const error = decode("windows-1251", [input]) as CsvError;
    expect(error).toBeInstanceOf(CsvError);
    expect(error.problem).toBe("the file is not valid utf-16le; check --encoding");
    expect(error.line).toBe(2);
  });
});

describe("reader options", () => {
  it.each([
    ["tab", "\t"],
    ["\t", "\t"],
    [",", ","],
    [";", ";"],
    [undefined, undefined],
  ] as const)("takes the delimiter %j as %j", (given, delimiter) => {
    expect(resolveCsvOptions({ delimiter: given }).delimiter).toBe(delimiter);
  });

  it("refuses another delimiter, naming the ones it takes", () => {
    const attempt = () => resolveCsvOptions({ delimiter: "|" as "," });
    expect(attempt).toThrow(InvalidCsvOptionError);
    expect(attempt).toThrow('delimiter: "|" is not supported; use ",", ";" or "tab"');
  });

  it("reads an encoding label as TextDecoder does, spaces around it ignored", () => {
    expect(resolveCsvOptions({ encoding: " cp1251 " }).encoding).toBe("windows-1251");
    expect(resolveCsvOptions({}).encoding).toBe("utf-8");
  });

  it("refuses an unknown encoding, suggesting labels", () => {
    expect(() => resolveCsvOptions({ encoding: "klingon" })).toThrow(
      'encoding: unknown encoding "klingon"; use a label such as utf-8, windows-1251, koi8-r or utf-16le',
    );
  });

  it("names its errors for logs and codes", () => {
    const option = new InvalidCsvOptionError("encoding", "x");
    expect([option.name, option.code, option.option]).toEqual([
      "InvalidCsvOptionError",
      "COURIER_CSV_INVALID_OPTION",
      "encoding",
    ]);
    const file = new CsvError(4, "bad");
    expect([file.name, file.code, file.line, file.problem, file.message]).toEqual([
      "CsvError",
      "COURIER_CSV_INVALID",
      4,
      "bad",
      "line 4: bad",
    ]);
  });
});

describe("readCsv streams", () => {
  it("yields the first rows before the input ends, whether or not the delimiter is given", async () => {
    for (const delimiter of [undefined, ";"] as const) {
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      async function* input() {
        yield "pid;password\n";
        yield "ann;1\n";
        await held; // the rest of the file arrives only after the first row was read
        yield "bob;2\n";
      }
      const reading = readCsv(input(), { delimiter });
      const seen: string[] = [];
      for await (const record of reading.records) {
        seen.push(record.fields.join("|"));
        release();
      }
      expect(seen).toEqual(["ann|1", "bob|2"]);
      expect((await reading.header).delimiter).toBe(";");
    }
  });

  it("detects the delimiter of a header split over many chunks", async () => {
    async function* input() {
      yield "pid;pass";
      yield "word;phone";
      yield "\r\nann;1;2\r\n";
    }
    const reading = readCsv(input());
    expect(await reading.header).toEqual({
      names: ["pid", "password", "phone"],
      delimiter: ";",
      line: 1,
    });
  });
});

describe("CsvTokenizer", () => {
  it("keeps a CRLF whole across an empty chunk between its two halves", () => {
    const tokenizer = new CsvTokenizer(",");
    const records = [
      ...tokenizer.push("a,1\r"),
      ...tokenizer.push(""),
      ...tokenizer.push("\nb,2\r"),
      ...tokenizer.push("\n"),
      ...tokenizer.push("c,3"),
      ...tokenizer.end(),
    ];
    expect(records).toEqual([
      { line: 1, fields: ["a", "1"] },
      { line: 2, fields: ["b", "2"] },
      { line: 3, fields: ["c", "3"] },
    ]);
  });
});

describe("TextChunkDecoder at chunk edges", () => {
  it("passes text on as soon as it is decoded", () => {
    const decoder = new TextChunkDecoder("utf-8");
    expect(decoder.push(Buffer.from("pid,pw\n"))).toBe("pid,pw\n");
    expect(decoder.push(Buffer.from("ann,1\n"))).toBe("ann,1\n");
  });

  it("keeps a U+FEFF that follows the mark, and one inside a first text chunk", () => {
    expect(decode("utf-8", [bytes(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x61)])).toBe("\uFEFFa");
    expect(decode("utf-8", ["a\uFEFFb"])).toBe("a\uFEFFb");
  });

  it("removes a leading mark from the first text that has any", () => {
    expect(decode("utf-8", ["", "\uFEFFa"])).toBe("a");
  });

  it("decodes a one-byte file that could have begun a mark", async () => {
    expect(decode("windows-1251", [bytes(0xef)])).toBe("п");
    const chunks: string[] = [];
    async function* input() {
      yield bytes(0xff);
    }
    for await (const text of decodeText(input(), "windows-1251")) chunks.push(text);
    expect(chunks).toEqual(["я"]);
  });

  it("names the line of an invalid byte after a character split between chunks", () => {
    const ah = Buffer.from("ж"); // D0 B6
    const first = new Uint8Array([...Buffer.from("pid,pw\r\n"), ah[0] as number]);
    const second = new Uint8Array([ah[1] as number, ...Buffer.from(",1\r\nbob,"), 0xff]);
    const error = decode("utf-8", [first, second]) as CsvError;
    expect(error).toBeInstanceOf(CsvError);
    expect(error.line).toBe(3);
  });
});

describe("UTF-16 without a byte order mark", () => {
  const utf16 = (text: string, order: "le" | "be") => {
    const le = Buffer.from(text, "utf16le");
    return order === "le" ? le : Buffer.from(le).swap16();
  };

  it.each([
    ["an ASCII header in UTF-16LE", utf16("pid,password\n", "le"), "utf-16le"],
    ["an ASCII header in UTF-16BE", utf16("pid,password\n", "be"), "utf-16be"],
    ["a Cyrillic and ASCII header in UTF-16LE", utf16("Имя;pid\n", "le"), "utf-16le"],
    ["two characters of UTF-16BE", utf16("pi", "be"), "utf-16be"],
    ["UTF-8", Buffer.from("pid,password\n"), null],
    ["Cyrillic UTF-16LE: no NUL to go by", utf16("Имя", "le"), null],
    ["a single NUL", Buffer.from("pid\0,password\n"), null],
    ["NULs on both sides", bytes(0x61, 0x00, 0x00, 0x61, 0x61, 0x00), null],
    ["nothing", bytes(), null],
  ])("recognises %s", (_name, head, encoding) => {
    expect(guessUtf16(head)).toBe(encoding);
  });

  it("looks only at the start of the file", () => {
    const late = new Uint8Array([...Buffer.from("p".repeat(UTF16_SNIFF_LENGTH)), 0x61, 0, 0x62, 0]);
    expect(guessUtf16(late)).toBeNull();
    const early = new Uint8Array([...utf16("pi", "le"), ...Buffer.from("p".repeat(100))]);
    expect(guessUtf16(early)).toBe("utf-16le");
    // One NUL among the first 64 bytes is not enough; a second just past them does not count.
    const edge = new Uint8Array([...Buffer.from("p".repeat(62)), 0, 0x70, 0, 0x70]);
    expect(guessUtf16(edge)).toBeNull();
    expect(
      guessUtf16(
        edge
          .subarray(0, 62 + 2)
          .slice()
          .fill(0, 60, 61),
      ),
    ).toBe("utf-16be");
  });

  it.each([
    ["le", "UTF-16LE", "utf-16le"],
    ["be", "UTF-16BE", "utf-16be"],
  ] as const)(
    "names the --encoding that reads %s, even fed a byte at a time",
    (order, name, label) => {
      const input = utf16("pid,password\nann,Pw-1\n", order);
      for (const chunks of [[input], [...input].map((b) => bytes(b))]) {
        for (const given of ["utf-8", "windows-1251"]) {
          const error = decode(given, chunks) as CsvError;
          expect(error).toBeInstanceOf(CsvError);
          expect(error.line).toBe(1);
          expect(error.problem).toBe(
            `the file looks like ${name} without a byte-order mark: use --encoding ${label}`,
          );
        }
        expect(decode(label, chunks)).toBe("pid,password\nann,Pw-1\n");
      }
    },
  );

  it("decodes files too short to tell, and text chunks, as before", () => {
    expect(decode("utf-8", [bytes(0x61, 0x00)])).toBe("a\0");
    expect(decode("utf-8", ["p\0i\0d\0"])).toBe("p\0i\0d\0");
  });
});
