import { CsvError, InvalidCsvOptionError, readCsv } from "../../src/import/csv";

async function* inChunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(bytes: Uint8Array, encoding?: string, chunkSize = 1) {
  const reading = readCsv(inChunks(bytes, chunkSize), encoding ? { encoding } : {});
  const header = await reading.header;
  const records = [];
  for await (const record of reading.records) records.push(record);
  return { header, records };
}

/**
 * windows-1251 bytes of a Cyrillic string, from the code page's fixed layout (А–я are
 * 0xC0–0xFF in alphabet order, Ё 0xA8, ё 0xB8) rather than from the decoder under test.
 */
function cp1251(text: string): Buffer {
  return Buffer.from(
    [...text].map((char) => {
      const code = char.codePointAt(0) as number;
      if (char === "Ё") return 0xa8;
      if (char === "ё") return 0xb8;
      if (code >= 0x410 && code <= 0x44f) return 0xc0 + (code - 0x410);
      if (code < 0x80) return code;
      throw new Error(`no cp1251 byte for ${char}`);
    }),
  );
}

describe("readCsv: encodings", () => {
  it("reads windows-1251 fed one byte at a time", async () => {
    const bytes = cp1251("pid;password;Имя\r\nivan;pw1;Иван Ёлкин\r\npetr;pw2;Пётр Яшин\r\n");
    expect(bytes.subarray(13, 16)).toEqual(Buffer.from([0xc8, 0xec, 0xff])); // И м я
    for (const encoding of ["windows-1251", "cp1251", " CP1251 "]) {
      const { header, records } = await read(bytes, encoding);
      expect(header.names).toEqual(["pid", "password", "Имя"]);
      expect(records).toEqual([
        { line: 2, fields: ["ivan", "pw1", "Иван Ёлкин"] },
        { line: 3, fields: ["petr", "pw2", "Пётр Яшин"] },
      ]);
    }
  });

  it("reads UTF-8 split inside multi-byte characters, one byte per chunk", async () => {
    const bytes = Buffer.from("pid,name\nx,Ёжик 😀 Zoë\n", "utf8");
    const { records } = await read(bytes);
    expect(records).toEqual([{ line: 2, fields: ["x", "Ёжик 😀 Zoë"] }]);
  });

  it("reads UTF-16LE with a BOM whatever --encoding says (Excel 'Unicode text')", async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from("pid\tpassword\r\nанна\tpw\r\n", "utf16le"),
    ]);
    for (const encoding of [undefined, "utf-16le", "windows-1251"]) {
      const { header, records } = await read(bytes, encoding);
      expect(header).toMatchObject({ names: ["pid", "password"], delimiter: "\t" });
      expect(records).toEqual([{ line: 2, fields: ["анна", "pw"] }]);
    }
  });

  it("lets a UTF-8 BOM win over a legacy --encoding", async () => {
    const bytes = Buffer.from("\uFEFFpid;Имя\nx;Иван\n", "utf8");
    const { header, records } = await read(bytes, "windows-1251");
    expect(header.names).toEqual(["pid", "Имя"]);
    expect(records[0]?.fields).toEqual(["x", "Иван"]);
  });

  it("reads koi8-r", async () => {
    // КОИ-8: "Иван" is E9 C4 C1 CE.
    const bytes = Buffer.concat([
      Buffer.from("pid,name\nx,"),
      Buffer.from([0xe9, 0xd7, 0xc1, 0xce]),
      Buffer.from("\n"),
    ]);
    const { records } = await read(bytes, "koi8-r");
    expect(records[0]?.fields).toEqual(["x", "Иван"]);
  });

  it("rejects invalid UTF-8 naming the line and suggesting --encoding", async () => {
    const bytes = Buffer.concat([
      Buffer.from("pid;password;name\nbob;pw;Bob\nivan;pw;"),
      cp1251("Иван"),
      Buffer.from("\n"),
    ]);
    for (const size of [1, 5, 1 << 16]) {
      const error = await read(bytes, undefined, size).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CsvError);
      expect((error as CsvError).line).toBe(3);
      expect((error as CsvError).message).toMatch(
        /^line 3: the file is not valid UTF-8.*--encoding/,
      );
    }
  });

  it("rejects a file that ends inside a UTF-8 character", async () => {
    const bytes = Buffer.concat([Buffer.from("pid,name\nx,"), Buffer.from([0xd0])]);
    await expect(read(bytes)).rejects.toMatchObject({ line: 2, code: "COURIER_CSV_INVALID" });
  });

  it("rejects an unknown encoding label, naming it, before reading", () => {
    const call = () => readCsv(inChunks(Buffer.from("pid\n"), 1), { encoding: "klingon-8" });
    expect(call).toThrow(InvalidCsvOptionError);
    expect(call).toThrow(/unknown encoding "klingon-8"/);
  });
});
