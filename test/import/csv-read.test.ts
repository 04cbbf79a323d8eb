import { Readable } from "node:stream";
import {
  CsvError,
  type CsvReadOptions,
  type CsvRecord,
  InputChangedError,
  InvalidCsvOptionError,
  readCsv,
} from "../../src/import/csv";

/** The text as UTF-8 bytes, `size` bytes per chunk: splits land anywhere, even inside "" or CRLF. */
async function* inChunks(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, "utf8");
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(text: string, options?: CsvReadOptions, chunkSize = 1 << 16) {
  const reading = readCsv(inChunks(text, chunkSize), options);
  const header = await reading.header;
  const records = [];
  for await (const record of reading.records) records.push(record);
  return { header, records };
}

/** The same result whatever the chunk size: every split point must be handled. */
async function readEverySplit(text: string, options?: CsvReadOptions) {
  const whole = await read(text, options);
  for (const size of [1, 2, 3, 7]) expect(await read(text, options, size)).toEqual(whole);
  return whole;
}

describe("readCsv: delimiter", () => {
  it.each([
    ["comma", "pid,password,source_id\nbob,pw1,sms\n", ","],
    ["semicolon", "pid;password;source_id\nbob;pw1;sms\n", ";"],
    ["tab", "pid\tpassword\tsource_id\nbob\tpw1\tsms\n", "\t"],
  ])("detects a %s from the header line", async (_name, text, delimiter) => {
    const { header, records } = await readEverySplit(text);
    expect(header).toEqual({ names: ["pid", "password", "source_id"], delimiter, line: 1 });
    expect(records).toEqual([{ line: 2, fields: ["bob", "pw1", "sms"] }]);
  });

  it("prefers the delimiter that gives the most columns, ignoring quoted ones", async () => {
    const { header } = await read('"Name, full";pid;password\nx;y;z\n');
    expect(header.delimiter).toBe(";");
    expect(header.names).toEqual(["Name, full", "pid", "password"]);
  });

  it("breaks a tie in favour of the comma", async () => {
    expect((await read("pid,pass;word\na,b\n")).header.delimiter).toBe(",");
    expect((await read("pid\n")).header.delimiter).toBe(",");
  });

  it("judges the first non-empty line", async () => {
    const { header, records } = await readEverySplit("\n\r\npid;password\nbob;pw\n");
    expect(header).toEqual({ names: ["pid", "password"], delimiter: ";", line: 3 });
    expect(records).toEqual([{ line: 4, fields: ["bob", "pw"] }]);
  });

  it("uses a given delimiter, 'tab' included", async () => {
    expect((await read("a,b;c\n", { delimiter: ";" })).header.names).toEqual(["a,b", "c"]);
    expect((await read("a,b\tc\n", { delimiter: "tab" })).header.names).toEqual(["a,b", "c"]);
  });

  it("refuses an unsupported delimiter before reading", () => {
    const input = inChunks("a|b\n", 10);
    expect(() => readCsv(input, { delimiter: "|" as "," })).toThrow(InvalidCsvOptionError);
  });
});

describe("readCsv: lines", () => {
  it("reads semicolons with a BOM and CRLF line ends", async () => {
    const { header, records } = await readEverySplit(
      "\uFEFFpid;password\r\nbob;pw1\r\nann;pw2\r\n",
    );
    expect(header.names).toEqual(["pid", "password"]);
    expect(records).toEqual([
      { line: 2, fields: ["bob", "pw1"] },
      { line: 3, fields: ["ann", "pw2"] },
    ]);
  });

  it("skips empty and blank-cell lines but counts them", async () => {
    const text = "pid,password\n\nbob,pw1\r\n\r\n   \n,,\nann,pw2";
    const { records } = await readEverySplit(text);
    expect(records).toEqual([
      { line: 3, fields: ["bob", "pw1"] },
      { line: 7, fields: ["ann", "pw2"] },
    ]);
  });

  it("treats a lone CR outside quotes as a line end (classic Mac exports)", async () => {
    const { records } = await readEverySplit("pid,password\rbob,pw1\rann,pw2\r");
    expect(records.map((r) => r.line)).toEqual([2, 3]);
  });

  it("keeps rows with extra or missing columns as they are", async () => {
    const { records } = await read("pid,password\nbob,pw1,extra,more\nann\n");
    expect(records).toEqual([
      { line: 2, fields: ["bob", "pw1", "extra", "more"] },
      { line: 3, fields: ["ann"] },
    ]);
  });

  it("trims header names but not data cells", async () => {
    const { header, records } = await read(" PID , Password \n bob , pw \n");
    expect(header.names).toEqual(["PID", "Password"]);
    expect(records[0]?.fields).toEqual([" bob ", " pw "]);
  });
});

describe("readCsv: quoting", () => {
  it("reads delimiters, doubled quotes and line breaks inside quotes", async () => {
    const text =
      'pid,note,password\n"bob","a, b",pw1\nann,"say ""hi""",pw2\n"cy","two\r\nline\nbreaks",pw3\ndee,"",pw4\n';
    const { records } = await readEverySplit(text);
    expect(records).toEqual([
      { line: 2, fields: ["bob", "a, b", "pw1"] },
      { line: 3, fields: ["ann", 'say "hi"', "pw2"] },
      { line: 4, fields: ["cy", "two\r\nline\nbreaks", "pw3"] },
      { line: 7, fields: ["dee", "", "pw4"] },
    ]);
  });

  it("keeps a lone CR inside quotes as data and counts it as a line", async () => {
    const { records } = await readEverySplit('a,b\n"x\ry",z\nnext,row\n');
    expect(records).toEqual([
      { line: 2, fields: ["x\ry", "z"] },
      { line: 4, fields: ["next", "row"] },
    ]);
  });

  it("treats a quote inside an unquoted field as a literal", async () => {
    const { records } = await readEverySplit('a,b\n5" disk,O"Brien\n');
    expect(records).toEqual([{ line: 2, fields: ['5" disk', 'O"Brien'] }]);
  });

  it("keeps text after a closing quote", async () => {
    const { records } = await readEverySplit('a,b\n"x"y,"z" \n');
    expect(records).toEqual([{ line: 2, fields: ["xy", "z "] }]);
  });

  it("ends the last record at end of file, quoted or not", async () => {
    expect((await readEverySplit('a,b\nx,"y"')).records).toEqual([{ line: 2, fields: ["x", "y"] }]);
    expect((await readEverySplit("a,b\nx,")).records).toEqual([{ line: 2, fields: ["x", ""] }]);
  });

  it("names the line where an unterminated quoted field starts", async () => {
    const text = 'pid,password\nbob,pw1\nann,"pw2\nmore\nlines\n';
    for (const size of [1, 1 << 16]) {
      const error = await read(text, {}, size).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CsvError);
      expect((error as CsvError).line).toBe(3);
      expect((error as CsvError).message).toMatch(/^line 3: a quoted field .* never closed/);
    }
  });

  it("names the header line when the header's quote is never closed", async () => {
    await expect(read('"pid,password\nbob,pw\n').then((r) => r.header)).rejects.toMatchObject({
      line: 1,
    });
  });
});

describe("readCsv: streams and lifecycle", () => {
  it("reads a Node stream", async () => {
    const stream = Readable.from([Buffer.from("pid;password\n"), Buffer.from("bob;pw\n")]);
    const reading = readCsv(stream);
    expect((await reading.header).delimiter).toBe(";");
    const records = [];
    for await (const record of reading.records) records.push(record);
    expect(records).toEqual([{ line: 2, fields: ["bob", "pw"] }]);
  });

  it("reads string chunks", async () => {
    async function* strings() {
      yield "\uFEFFpid,pass";
      yield "word\nbob,pw\n";
    }
    const reading = readCsv(strings());
    expect((await reading.header).names).toEqual(["pid", "password"]);
  });

  it("rejects an empty file", async () => {
    await expect(read("")).rejects.toThrow("line 1: the file is empty; expected a header row");
    await expect(read("\n\n")).rejects.toBeInstanceOf(CsvError);
  });

  it("gives a header-less error to a caller that only iterates records", async () => {
    const reading = readCsv(inChunks("", 1));
    const iterate = async () => {
      for await (const _ of reading.records) {
        // nothing to see
      }
    };
    await expect(iterate()).rejects.toBeInstanceOf(CsvError);
  });

  it("closes the stream when the caller stops early", async () => {
    const stream = Readable.from(
      (function* () {
        yield "pid,password\n";
        for (let i = 0; i < 1000; i++) yield `u${i},pw\n`;
      })(),
    );
    const reading = readCsv(stream);
    for await (const record of reading.records) if (record.line === 3) break;
    expect(stream.destroyed).toBe(true);
  });
});

describe("readCsv: size limits", () => {
  const KiB = 1024;
  const fieldLimit = "field 3 is longer than the limit of 65536 characters (64 KiB)";
  const rowLimit = "the row is longer than the limit of 1048576 characters (1 MiB)";

  it.each([
    ["one chunk", 1 << 20],
    ["64 KiB chunks", 64 * KiB],
    ["odd-sized chunks", 4099],
  ])("rejects a field over 64 KiB by its line and reads on, in %s", async (_name, size) => {
    const text =
      "pid,password,reference\n" +
      `ann,pw1,${"a".repeat(64 * KiB)}\n` +
      `bob,pw2,${"b".repeat(64 * KiB + 1)}\n` +
      `cid,pw3,"${"c\n".repeat(40 * KiB)}"\n` +
      "dan,pw4,d\n";
    const { records } = await read(text, {}, size);
    expect(records.map(({ line, fields, error }) => [line, fields.length, error])).toEqual([
      [2, 3, undefined],
      [3, 0, fieldLimit],
      // A quoted field's line breaks still count while its text is dropped.
      [4, 0, fieldLimit],
      [4 + 40 * KiB + 1, 3, undefined],
    ]);
    expect(records[0]?.fields[2]).toHaveLength(64 * KiB);
  });

  it("rejects a row over 1 MiB made of fields within the limit", async () => {
    const cells = Array.from({ length: 17 }, () => "x".repeat(64 * KiB - 1));
    const text = `pid,password\n${["ann", "pw", ...cells].join(",")}\nbob,pw\n`;
    const { records } = await read(text, {}, 64 * KiB);
    expect(records.map(({ line, error }) => [line, error])).toEqual([
      [2, rowLimit],
      [3, undefined],
    ]);
  });

  it("counts delimiters in a row's length, so a row of empty fields has a limit too", async () => {
    const { records } = await read(`pid,password\nann,pw${",".repeat(1 << 20)}\n`, {}, 64 * KiB);
    expect(records.map(({ line, error }) => [line, error])).toEqual([[2, rowLimit]]);
  });

  it("reports an oversize last field that ends the file after a delimiter", async () => {
    const { records } = await read(`pid,password\nann,${"x".repeat(64 * KiB + 1)},`, {}, 4099);
    expect(records.map(({ line, error }) => [line, error])).toEqual([
      [2, fieldLimit.replace("field 3", "field 2")],
    ]);
  });

  it("refuses a header over the limit on its line", async () => {
    const error = await read(`\npid,password,${"h".repeat(64 * KiB + 1)}\nann,pw,x\n`).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).message).toBe(`line 2: ${fieldLimit}`);
  });
});

describe("readCsv: an input that changes while it is read", () => {
  async function* changing(...texts: string[]): AsyncGenerator<string> {
    yield* texts;
    throw new InputChangedError("the file changed while it was read");
  }

  it("yields the whole records, then names the line of the one it cut", async () => {
    const reading = readCsv(changing("pid,password\nann,pw1\r\n", "bob,pw2\ncid,p"));
    const records: CsvRecord[] = [];
    const error = await (async () => {
      for await (const record of reading.records) records.push(record);
    })().catch((e: unknown) => e);
    expect(records).toEqual([
      { line: 2, fields: ["ann", "pw1"] },
      { line: 3, fields: ["bob", "pw2"] },
    ]);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).message).toBe("line 4: the file changed while it was read");
  });

  it("names the next line when the cut falls between records", async () => {
    const reading = readCsv(changing("pid,password\nann,pw1\n"));
    const error = await (async () => {
      for await (const _ of reading.records) {
        // only the error matters
      }
    })().catch((e: unknown) => e);
    expect((error as CsvError).line).toBe(3);
  });

  it("names line 1 when the header was not read whole", async () => {
    await expect(readCsv(changing("pid,pass")).header).rejects.toThrow(
      "line 1: the file changed while it was read",
    );
  });

  it("lets other errors of the input through as they are", async () => {
    async function* failing(): AsyncGenerator<string> {
      yield "pid,password\n";
      throw new Error("EIO");
    }
    const reading = readCsv(failing());
    const error = await (async () => {
      for await (const _ of reading.records) {
        // only the error matters
      }
    })().catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(CsvError);
    expect((error as Error).message).toBe("EIO");
  });
});
