import {
  type ColumnMap,
  CsvError,
  formatCsvRow,
  mapRegistrations,
  readCsv,
  rejectsFormat,
} from "../../src/import/csv";
import { escapeFormula, unescapeFormula } from "../../src/import/csv/formula-escape";

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

async function registrations(text: string, columns?: Partial<ColumnMap>) {
  const reading = readCsv(once(text));
  const rows = [];
  for await (const row of mapRegistrations(await reading.header, reading.records, columns)) {
    rows.push(row);
  }
  return rows;
}

describe("mapRegistrations", () => {
  it("maps columns by trimmed, case-insensitive name and ignores extra columns", async () => {
    const text = "Note; PID ;Reference;Password;SOURCE_ID\nhi; bob ; R-1 ;pw1;sms\nyo;ann;;pw2;\n";
    expect(await registrations(text)).toEqual([
      {
        line: 2,
        pid: "bob",
        password: "pw1",
        source_id: "sms",
        reference: "R-1",
        fields: ["hi", " bob ", " R-1 ", "pw1", "sms"],
      },
      { line: 3, pid: "ann", password: "pw2", fields: ["yo", "ann", "", "pw2", ""] },
    ]);
  });

  it("uses the column names given", async () => {
    const rows = await registrations("Login,Code,Event\nbob,pw,expo\n", {
      pid: "login",
      password: "CODE",
      source_id: "event",
    });
    expect(rows).toEqual([
      { line: 2, pid: "bob", password: "pw", source_id: "expo", fields: ["bob", "pw", "expo"] },
    ]);
  });

  it("rejects short rows and empty required cells, never quoting a password", async () => {
    const text = [
      "pid,password,source_id",
      "bob,s3cret",
      "ann",
      ",hunter2,sms",
      "cy,  ,sms",
      ",,sms",
    ].join("\n");
    const rows = await registrations(text);
    expect(rows.map((row) => ({ line: row.line, error: "error" in row ? row.error : "" }))).toEqual(
      [
        { line: 2, error: "expected 3 fields, found 2" },
        { line: 3, error: "expected 3 fields, found 1" },
        { line: 4, error: "pid is empty" },
        { line: 5, error: "password is empty" },
        { line: 6, error: "pid is empty; password is empty" },
      ],
    );
    const errors = rows.map((row) => ("error" in row ? row.error : "")).join("\n");
    expect(errors).not.toMatch(/s3cret|hunter2/);
  });

  it("names a renamed column in a cell error", async () => {
    const rows = await registrations("login,password\n,pw\n", { pid: " Login " });
    expect(rows[0]).toMatchObject({ error: 'pid (column "Login") is empty' });
  });

  it("throws on the header line when a required column is missing, listing what it found", async () => {
    const reading = readCsv(once("Name;Phone;Code\nbob;123;pw\n"));
    const header = await reading.header;
    const call = () => mapRegistrations(header, reading.records);
    expect(call).toThrow(CsvError);
    expect(call).toThrow(
      'line 1: no column named "pid" or "password". The header has 3 columns separated by ";": ' +
        '"Name", "Phone", "Code". Name the columns to use with --pid-column and --password-column.',
    );
  });

  it("suggests --delimiter when the header is one column", async () => {
    const reading = readCsv(once("pid|password\nbob|pw\n"));
    const header = await reading.header;
    expect(header.names).toEqual(["pid|password"]);
    expect(() => mapRegistrations(header, reading.records)).toThrow(
      /--pid-column and --password-column, or give the separator with --delimiter/,
    );
  });

  it("refuses a column that appears twice", async () => {
    await expect(registrations("pid,password,PID\na,b,c\n")).rejects.toThrow(
      /^line 1: column "pid" appears twice \(columns 1 and 3\)/,
    );
  });
});

describe("formatCsvRow", () => {
  it("quotes only where needed and doubles quotes", () => {
    expect(formatCsvRow(["a", "b c", "x;y", 'say "hi"', "two\nlines", " pad", ""], ";")).toBe(
      'a;b c;"x;y";"say ""hi""";"two\nlines";" pad";',
    );
    expect(formatCsvRow(["a,b", "c\td"], "tab")).toBe('a,b\t"c\td"');
  });

  it("round-trips through the reader", async () => {
    const fields = ['O"Brien', "a;b,c", "line\r\nbreak", " x ", "Ёлка"];
    for (const delimiter of [",", ";", "\t"] as const) {
      const text = `${formatCsvRow(["h1", "h2", "h3", "h4", "h5"], delimiter)}\r\n${formatCsvRow(fields, delimiter)}\r\n`;
      const reading = readCsv(once(text));
      expect((await reading.header).delimiter).toBe(delimiter);
      const records = [];
      for await (const record of reading.records) records.push(record);
      expect(records).toEqual([{ line: 2, fields }]);
    }
  });
});

describe("rejectsFormat", () => {
  it("writes a BOM, the error column and the input's header, then rejected rows", async () => {
    const reading = readCsv(once("pid;password\nbob\n;pw\n"));
    const header = await reading.header;
    const format = rejectsFormat(header);
    let file = format.header;
    for await (const row of mapRegistrations(header, reading.records)) {
      if ("error" in row) file += format.row(row.fields, row.error);
    }
    expect(file).toBe(
      "\uFEFFimport_error;pid;password\r\nexpected 2 fields, found 1;bob\r\npid is empty;;pw\r\n",
    );

    // Fixed in place and imported again: the error column is ignored, then replaced.
    const again = readCsv(once(file.replace(";;pw", ";ann;pw")));
    const againHeader = await again.header;
    const rows = [];
    for await (const row of mapRegistrations(againHeader, again.records)) rows.push(row);
    expect(rows[1]).toMatchObject({ line: 3, pid: "ann", password: "pw" });
    const second = rejectsFormat(againHeader);
    expect(second.header).toBe("\uFEFFimport_error;pid;password\r\n");
    expect(second.row(["old error", "bob"], "still short")).toBe("still short;bob\r\n");
  });
});

describe("formula escaping (CSV injection in the rejects file)", () => {
  it.each([
    ["=1+2", "'=1+2"],
    ["+79161234567", "'+79161234567"],
    ["-5", "'-5"],
    ["@SUM(A1:A9)", "'@SUM(A1:A9)"],
    ["\tcmd", "'\tcmd"],
    ["\rcmd", "'\rcmd"],
    // A quote before a trigger in the original gets one more, so the escape can be undone.
    ["'=1+2", "''=1+2"],
    ["''+x", "'''+x"],
    // Anything else is left as it is, a leading quote included.
    ["'plain", "'plain"],
    ["'", "'"],
    ["a=b", "a=b"],
    [" =1", " =1"],
    ["", ""],
  ])("escapes %j as %j and back", (value, escaped) => {
    expect(escapeFormula(value)).toBe(escaped);
    expect(unescapeFormula(escaped)).toBe(value);
  });

  it("leaves a formula without its quote as it is (a spreadsheet that dropped the quote on saving)", () => {
    expect(unescapeFormula("=1+2")).toBe("=1+2");
    expect(unescapeFormula("+79161234567")).toBe("+79161234567");
  });

  it("quotes an escaped cell in the rejects file", () => {
    expect(formatCsvRow(["=1+2", "ok", "'x", "-", "@"], ",")).toBe(`"'=1+2",ok,'x,"'-","'@"`);
  });

  it("gives the original values back when a rejects file is imported, and escapes them again", async () => {
    const values = ["+79161234567", "=1+2", "'=HYPERLINK(x)", "-", "@ann", "'plain", "\tx"];
    const input = ["pid,password", ...values.map((value) => `,"${value}"`)];
    const reading = readCsv(once(`${input.join("\n")}\n`));
    const header = await reading.header;
    const format = rejectsFormat(header);
    let file = format.header;
    for await (const row of mapRegistrations(header, reading.records)) {
      if ("error" in row) file += format.row(row.fields, row.error);
    }
    expect(file).toContain(`pid is empty,,"'+79161234567"\r\n`);
    expect(file).toContain(`pid is empty,,"''=HYPERLINK(x)"\r\n`);
    expect(file).toContain("pid is empty,,'plain\r\n");

    const again = readCsv(once(file));
    const againHeader = await again.header;
    const rows = [];
    let second = rejectsFormat(againHeader).header;
    for await (const row of mapRegistrations(againHeader, again.records)) {
      rows.push(row);
      if ("error" in row) second += rejectsFormat(againHeader).row(row.fields, row.error);
    }
    expect(rows.map((row) => row.fields.slice(1))).toEqual(values.map((value) => ["", value]));
    expect(second).toBe(file);
  });

  it("leaves a leading quote in an ordinary file alone", async () => {
    const rows = await registrations("pid,password\nann,'=1+2\n");
    expect(rows).toEqual([expect.objectContaining({ pid: "ann", password: "'=1+2" })]);
  });

  it("unescapes a rejects file's header names too", async () => {
    const rows = await registrations(`import_error,"'=pid",password\nx,ann,pw\n`, { pid: "=pid" });
    expect(rows).toEqual([expect.objectContaining({ pid: "ann", password: "pw" })]);
  });
});

describe("mapRegistrations and oversize rows", () => {
  it("passes the reader's reason on as a rejected row, without fields", async () => {
    async function* records() {
      yield { line: 2, fields: [], error: "field 3 is longer than the limit" };
      yield { line: 3, fields: ["ann", "pw"] };
    }
    const header = { names: ["pid", "password"], delimiter: "," as const, line: 1 };
    const rows = [];
    for await (const row of mapRegistrations(header, records())) rows.push(row);
    expect(rows).toEqual([
      { line: 2, error: "field 3 is longer than the limit", fields: [] },
      { line: 3, pid: "ann", password: "pw", fields: ["ann", "pw"] },
    ]);
  });
});
