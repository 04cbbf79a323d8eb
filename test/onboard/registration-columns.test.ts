import type { CsvHeader } from "../../src/import/csv";
import { CsvError } from "../../src/import/csv/errors";
import {
  locateRegistrationColumns,
  ONBOARD_COLUMN_FLAGS,
  type OnboardColumnNames,
} from "../../src/onboard/registration-columns";

const header = (names: string[], line = 1): CsvHeader => ({ names, delimiter: ",", line });

function headerProblem(names: string[], overrides?: OnboardColumnNames, line = 1): CsvError {
  try {
    locateRegistrationColumns(header(names, line), overrides);
  } catch (error) {
    if (error instanceof CsvError) return error;
    throw error;
  }
  throw new Error("expected the header to be refused");
}

describe("locateRegistrationColumns", () => {
  it("finds an English export's columns", () => {
    const names = ["Name", "Email", "Mobile phone", "Company", "Badge"];
    expect(locateRegistrationColumns(header(names))).toEqual({
      fullName: { index: 0, name: "Name", order: "given-first" },
      email: { index: 1, name: "Email" },
      phone: { index: 2, name: "Mobile phone" },
      company: { index: 3, name: "Company" },
    });
  });

  it("finds a Russian export's columns, the full name family name first", () => {
    const names = ["№", "ФИО", "Электронная почта", "Мобильный телефон", "Организация"];
    expect(locateRegistrationColumns(header(names))).toEqual({
      fullName: { index: 1, name: "ФИО", order: "family-first" },
      email: { index: 2, name: "Электронная почта" },
      phone: { index: 3, name: "Мобильный телефон" },
      company: { index: 4, name: "Организация" },
    });
  });

  it("finds first and last name columns in either language", () => {
    expect(locateRegistrationColumns(header(["Фамилия", "Имя", "Телефон"]))).toEqual({
      lastName: { index: 0, name: "Фамилия" },
      firstName: { index: 1, name: "Имя" },
      phone: { index: 2, name: "Телефон" },
    });
    expect(locateRegistrationColumns(header(["Given name", "Surname", "tel"]))).toEqual({
      firstName: { index: 0, name: "Given name" },
      lastName: { index: 1, name: "Surname" },
      phone: { index: 2, name: "tel" },
    });
  });

  it.each([
    ["E-mail", "email"],
    ["e_mail", "email"],
    ["EMAIL", "email"],
    [" e.mail ", "email"],
    ["E-mail адрес", "email"],
    ["Почта", "email"],
    ["mail", "email"],
    ["Phone Number", "phone"],
    ["phone_number", "phone"],
    ["Telephone", "phone"],
    ["Мобильный", "phone"],
    ["Номер телефона", "phone"],
    ["Тёлефон", "phone"],
    ["Full Name", "fullName"],
    ["full_name", "fullName"],
    ["fio", "fullName"],
    ["Ф.И.О.", "fullName"],
    ["Фамилия Имя Отчество", "fullName"],
    ["First-Name", "firstName"],
    ["firstname", "firstName"],
    ["Last name", "lastName"],
    ["Family name", "lastName"],
    ["lastname", "lastName"],
    ["Organisation", "company"],
    ["organization", "company"],
    ["Компания", "company"],
  ])("reads the header %j as the %s column", (name, field) => {
    const names = field === "phone" ? [name] : [name, "Телефон"];
    const located = locateRegistrationColumns(header(names)) as unknown as Record<
      string,
      { index: number }
    >;
    expect(located[field]?.index).toBe(0);
  });

  it.each([
    ["ФИО", "family-first"],
    ["Ф.И.О.", "family-first"],
    ["Фамилия Имя Отчество", "family-first"],
    ["fio", "family-first"],
    ["Name", "given-first"],
    ["Full name", "given-first"],
  ])("reads the full names of %j %s", (name, order) => {
    expect(locateRegistrationColumns(header([name, "phone"])).fullName?.order).toBe(order);
  });

  it("needs no name column", () => {
    expect(locateRegistrationColumns(header(["phone", "notes"]))).toEqual({
      phone: { index: 0, name: "phone" },
    });
  });

  it("prefers first and last name columns to a full name column", () => {
    expect(locateRegistrationColumns(header(["ФИО", "Имя", "Телефон"]))).toEqual({
      firstName: { index: 1, name: "Имя" },
      phone: { index: 2, name: "Телефон" },
    });
  });

  it("uses a full name column named by its flag over first and last names found by their headers", () => {
    const names = ["Участник", "Имя", "Фамилия", "Телефон"];
    expect(locateRegistrationColumns(header(names), { fullName: "участник" })).toEqual({
      fullName: { index: 0, name: "Участник", order: "family-first" },
      phone: { index: 3, name: "Телефон" },
    });
  });

  it("keeps first and last names named by their flags over a full name named by its own", () => {
    const names = ["Guest", "Given", "Family", "Cell"];
    const overrides = { fullName: "Guest", firstName: "Given", phone: "Cell" };
    expect(locateRegistrationColumns(header(names), overrides)).toEqual({
      firstName: { index: 1, name: "Given" },
      phone: { index: 3, name: "Cell" },
    });
  });

  it("reads a full name column named by its flag given name first unless it is in Cyrillic", () => {
    expect(
      locateRegistrationColumns(header(["Guest", "phone"]), { fullName: "guest" }).fullName,
    ).toEqual({ index: 0, name: "Guest", order: "given-first" });
  });

  it("takes a column named by its flag, trimmed and in any case, over the known headers", () => {
    const names = ["Телефон", " Mobile (SMS) ", "Почта", "Work e-mail"];
    const overrides = { phone: "mobile (sms)", email: " WORK E-MAIL " };
    expect(locateRegistrationColumns(header(names), overrides)).toEqual({
      phone: { index: 1, name: " Mobile (SMS) " },
      email: { index: 3, name: "Work e-mail" },
    });
  });

  it("does not give a column named by one flag to another field", () => {
    const names = ["Телефон", "Мобильный"];
    expect(locateRegistrationColumns(header(names), { company: "Телефон" })).toEqual({
      company: { index: 0, name: "Телефон" },
      phone: { index: 1, name: "Мобильный" },
    });
  });

  it("ignores a field's other known headers once its flag names a column", () => {
    const names = ["Телефон", "Мобильный"];
    expect(locateRegistrationColumns(header(names), { phone: "Мобильный" })).toEqual({
      phone: { index: 1, name: "Мобильный" },
    });
  });
});

describe("a header the onboarding cannot use", () => {
  it("needs a phone column, naming the flag and the columns it found", () => {
    const problem = headerProblem(["ФИО", "Email"], undefined, 3);
    expect(problem.line).toBe(3);
    expect(problem.message).toBe(
      "line 3: no phone number column: no column has a name known for one (phone, mobile, " +
        "telephone, tel, phone number, mobile phone, Телефон, Мобильный телефон, Мобильный, " +
        'Номер телефона). The header has 2 columns separated by ",": "ФИО", "Email". Name the column to use with ' +
        "--phone-column.",
    );
  });

  it("says which column a flag names and that no column has that name", () => {
    expect(headerProblem(["ФИО", "Телефон"], { email: "Почта" }).message).toBe(
      'line 1: no column named "Почта" (--email-column). The header has 2 columns separated ' +
        'by ",": "ФИО", "Телефон".',
    );
  });

  it("makes each header name safe to show and lists at most 20", () => {
    const names = ["a\u001b[2Jb", ...Array.from({ length: 21 }, (_, i) => `c${i}`)];
    expect(headerProblem(names).message).toBe(
      "line 1: no phone number column: no column has a name known for one (phone, mobile, " +
        "telephone, tel, phone number, mobile phone, Телефон, Мобильный телефон, Мобильный, " +
        `Номер телефона). The header has 22 columns separated by ",": "a\\x1b[2Jb", ${Array.from({ length: 19 }, (_, i) => `"c${i}"`).join(", ")}, … 2 more. ` +
        "Name the column to use with --phone-column.",
    );
  });

  it("shows a column named by a flag in one line, cut", () => {
    expect(headerProblem(["Телефон"], { company: `Org\n${"x".repeat(70)}` }).message).toBe(
      `line 1: no column named "Org\\n${"x".repeat(60)}…(10 more)" (--company-column). ` +
        'The header has 1 column separated by ",": "Телефон"; give the separator with ' +
        "--delimiter if it is not , ; or tab.",
    );
  });

  it("suggests --delimiter when the header is one column", () => {
    const names = ["ФИО;Телефон;Почта"];
    expect(headerProblem(names).message).toMatch(
      /separated by ",": "ФИО;Телефон;Почта"\. Name the column to use with --phone-column, or give the separator with --delimiter if it is not , ; or tab\.$/,
    );
    const tabs: CsvHeader = { names: ["a", "b"], delimiter: "\t", line: 1 };
    expect(() => locateRegistrationColumns(tabs)).toThrow(/separated by tab: "a", "b"\. Name/);
  });

  it("names both columns that look like one field, and the flag that settles it", () => {
    expect(headerProblem(["Телефон", "ФИО", "Mobile"], undefined, 2).message).toBe(
      'line 2: columns 1 ("Телефон") and 3 ("Mobile") both look like the phone number; ' +
        "name the one to use with --phone-column.",
    );
    expect(headerProblem(["E-mail", "Phone", "Почта"]).message).toBe(
      'line 1: columns 1 ("E-mail") and 3 ("Почта") both look like the e-mail address; ' +
        "name the one to use with --email-column.",
    );
  });

  it("refuses a column named by a flag that appears twice", () => {
    expect(headerProblem(["Cell", "Name", "cell "], { phone: "CELL" }).message).toBe(
      'line 1: column "CELL" (--phone-column) appears twice, as columns 1 and 3; rename one of them.',
    );
  });

  it("refuses two flags that name one column", () => {
    expect(
      headerProblem(["Guest", "Phone"], { firstName: "guest", lastName: "Guest" }).message,
    ).toBe('line 1: --first-name-column and --last-name-column both name column 1 ("Guest").');
  });

  it("throws a CsvError, which the command reports as a file problem", () => {
    const problem = headerProblem(["x"]);
    expect(problem).toBeInstanceOf(CsvError);
    expect(problem.code).toBe("COURIER_CSV_INVALID");
  });
});

describe("ONBOARD_COLUMN_FLAGS", () => {
  it("names each field's flag", () => {
    expect(ONBOARD_COLUMN_FLAGS).toEqual({
      fullName: "--name-column",
      firstName: "--first-name-column",
      lastName: "--last-name-column",
      email: "--email-column",
      phone: "--phone-column",
      company: "--company-column",
    });
  });
});
