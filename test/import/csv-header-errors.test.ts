/** What the registration mapper says about a header it cannot use, word for word. */
import { type ColumnMap, type CsvHeader, mapRegistrations } from "../../src/import/csv";
import { COLUMN_FLAGS } from "../../src/import/csv/registrations";

async function* none() {}

function headerProblem(header: CsvHeader, columns?: Partial<ColumnMap>): string {
  try {
    mapRegistrations(header, none(), columns);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the header to be refused");
}

const header = (names: string[], delimiter: CsvHeader["delimiter"] = ",", line = 1): CsvHeader => ({
  names,
  delimiter,
  line,
});

describe("a header without the columns it needs", () => {
  it("names both missing columns, their flags, the separator and every column it found", () => {
    expect(headerProblem(header(["name", "phone"], "\t", 3))).toBe(
      'line 3: no column named "pid" or "password". The header has 2 columns separated by tab: ' +
        '"name", "phone". Name the columns to use with --pid-column and --password-column.',
    );
  });

  it("names one missing column in the singular, and a renamed column as given", () => {
    expect(
      headerProblem(header(["login", "code"], ";"), { pid: " Login ", password: " secret " }),
    ).toBe(
      'line 1: no column named "secret". The header has 2 columns separated by ";": ' +
        '"login", "code". Name the column to use with --password-column.',
    );
  });

  it("suggests --delimiter for a one-column header", () => {
    expect(headerProblem(header(["pid|password"]))).toBe(
      'line 1: no column named "pid" or "password". The header has 1 column separated by ",": ' +
        '"pid|password". Name the columns to use with --pid-column and --password-column, or give ' +
        "the separator with --delimiter if it is not , ; or tab.",
    );
  });

  it("shows the first 20 columns of a wide header and counts the rest", () => {
    const wide = Array.from({ length: 23 }, (_, i) => `c${i + 1}`);
    const message = headerProblem(header(wide));
    expect(message).toContain('"c20", … 3 more. Name the columns');
    expect(message).not.toContain('"c21"');
    const twenty = headerProblem(header(wide.slice(0, 20)));
    expect(twenty).toContain('"c20". Name the columns');
    expect(twenty).not.toContain("more");
  });
});

describe("a column that appears twice", () => {
  it("names it as given, both positions and the flag to choose one", () => {
    expect(headerProblem(header(["PID", "password", "x", " pid "]), { pid: " Pid " })).toBe(
      'line 1: column "Pid" appears twice (columns 1 and 4); rename one, or name the right one with --pid-column',
    );
  });

  it("is checked for optional columns too", () => {
    expect(headerProblem(header(["pid", "password", "reference", "Reference"]))).toBe(
      'line 1: column "reference" appears twice (columns 3 and 4); rename one, or name the right one with --reference-column',
    );
    expect(COLUMN_FLAGS.source_id).toBe("--source-id-column");
  });

  it("allows a column named like another field's default when that field is renamed", () => {
    expect(() =>
      mapRegistrations(header(["pid", "password", "login"]), none(), { pid: "login" }),
    ).not.toThrow();
  });
});
