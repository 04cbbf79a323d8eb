import type { CsvHeader } from "../../src/import/csv";
import {
  locateRegistrationColumns,
  type OnboardColumnNames,
} from "../../src/onboard/registration-columns";
import {
  checkPidRule,
  type GuestRowOptions,
  RegistrationGuests,
} from "../../src/onboard/registration-guest";

const RU: GuestRowOptions = { phoneRegion: "RU", pidRule: "phone" };

function guests(
  names: string[],
  options: Partial<GuestRowOptions> = {},
  flags?: OnboardColumnNames,
) {
  const header: CsvHeader = { names, delimiter: ",", line: 1 };
  return new RegistrationGuests(locateRegistrationColumns(header, flags), { ...RU, ...options });
}

const russian = () => guests(["ФИО", "Телефон", "E-mail", "Организация"]);

describe("RegistrationGuests", () => {
  it("reads a Russian row: family name first, the phone in E.164, the pid of its digits", () => {
    const rows = russian();
    expect(
      rows.read(["Иванов Иван Иванович", "8 (912) 345-67-89", " ivan@mail.ru ", "ООО Ромашка"], 2),
    ).toEqual({
      ok: true,
      guest: {
        line: 2,
        pid: "79123456789",
        lastname: "Иванов",
        firstname: "Иван Иванович",
        telephone: "+79123456789",
        email: "ivan@mail.ru",
        company: "ООО Ромашка",
      },
    });
  });

  it("reads an English row given name first, with first and last name columns or a full name", () => {
    const full = guests(["Name", "Mobile", "Email"], { pidPrefix: "guest-" });
    expect(full.read(["Mary Ann Smith", "+44 7400 123456", ""], 5)).toEqual({
      ok: true,
      guest: {
        line: 5,
        pid: "guest-447400123456",
        firstname: "Mary Ann",
        lastname: "Smith",
        telephone: "+447400123456",
      },
    });
    const parts = guests(["First name", "Last name", "Phone"]);
    expect(parts.read(["  Anna  ", "", "+7 912 345 6789"], 2)).toEqual({
      ok: true,
      guest: { line: 2, pid: "79123456789", firstname: "Anna", telephone: "+79123456789" },
    });
    expect(parts.read([" ", " Smith ", "+7 912 345 6780"], 3)).toEqual({
      ok: true,
      guest: { line: 3, pid: "79123456780", lastname: "Smith", telephone: "+79123456780" },
    });
  });

  it("leaves out the cells that are blank, and the columns there are not", () => {
    expect(guests(["Телефон"]).read(["+7-912-345-67-89"], 2)).toEqual({
      ok: true,
      guest: { line: 2, pid: "79123456789", telephone: "+79123456789" },
    });
    expect(russian().read([" ", "89123456789", "", "  "], 2)).toEqual({
      ok: true,
      guest: { line: 2, pid: "79123456789", telephone: "+79123456789" },
    });
  });

  it("makes the pid of the e-mail address, lowercased, when the rule says so", () => {
    const rows = guests(["Телефон", "Почта"], { pidRule: "email", pidPrefix: "ev." });
    expect(rows.read(["89123456789", "Anna.Petrova@Mail.ru"], 2)).toEqual({
      ok: true,
      guest: {
        line: 2,
        pid: "ev.anna.petrova@mail.ru",
        telephone: "+79123456789",
        email: "Anna.Petrova@Mail.ru",
      },
    });
  });

  it.each<[string[], string]>([
    [["Петров Пётр", "", "", ""], 'column "Телефон" (phone): no phone number'],
    [
      ["Петров Пётр", "позвонить позже", "", ""],
      'column "Телефон" (phone): "позвонить позже" is not a phone number',
    ],
    [
      ["Петров Пётр", "+7 999", "", ""],
      'column "Телефон" (phone): "+7 999" is not a valid number in Russia',
    ],
    [
      ["Петров Пётр", "+7 495 123-45-67", "", ""],
      'column "Телефон" (phone): "+7 495 123-45-67" is a landline number, not a mobile one',
    ],
    [
      ["Петров Пётр", "89123456789", "пётр@почта.рф", ""],
      'column "E-mail" (e-mail): "пётр@почта.рф" is not an address the appliance accepts: only ASCII ' +
        "letters, digits, _ . and - on either side of the @, and a 2–6 letter top-level domain",
    ],
    [
      ["Петров Пётр", "89123456789", " petr+event@mail.ru ", ""],
      'column "E-mail" (e-mail): "petr+event@mail.ru" is not an address the appliance accepts: only ' +
        "ASCII letters, digits, _ . and - on either side of the @, and a 2–6 letter top-level domain",
    ],
    [
      ["Петров Пётр", "89123456789", "petr@mail.example.website", ""],
      'column "E-mail" (e-mail): "petr@mail.example.website" is not an address the appliance ' +
        "accepts: only ASCII letters, digits, _ . and - on either side of the @, and a 2–6 letter " +
        "top-level domain",
    ],
    [
      ["Петров Пётр", "", "bad@", ""],
      'column "Телефон" (phone): no phone number; column "E-mail" (e-mail): "bad@" is not an ' +
        "address the appliance accepts: only ASCII letters, digits, _ . and - on either side of " +
        "the @, and a 2–6 letter top-level domain",
    ],
    [
      ["П".repeat(256), "89123456789", "", ""],
      'column "ФИО" (name): 256 characters; the appliance keeps at most 255',
    ],
    [
      ["Петров Пётр", "89123456789", "", "О".repeat(300)],
      'column "Организация" (company): 300 characters; the appliance keeps at most 255',
    ],
    [["Петров Пётр", "89123456789", ""], "expected 4 fields, found 3"],
  ])("refuses %j, naming the column and the problem", (record, error) => {
    expect(russian().read(record, 7)).toEqual({ ok: false, line: 7, error });
  });

  it("quotes at most 64 characters of a cell", () => {
    const cell = `8912345678${"9".repeat(300)}`;
    expect(guests(["Телефон"]).read([cell], 2)).toEqual({
      ok: false,
      line: 2,
      error: `column "Телефон" (phone): "${cell.slice(0, 64)}…" (246 more characters) is too long to be a phone number`,
    });
  });

  it("measures a full name after tidying it, and a first or last name each on its own", () => {
    const longest = `${"П".repeat(200)}   ${"И".repeat(54)}`;
    expect(russian().read([longest, "89123456789", "", ""], 2).ok).toBe(true);
    const parts = guests(["Имя", "Фамилия", "Телефон"]);
    expect(parts.read(["И".repeat(255), "Ф".repeat(255), "89123456789"], 2).ok).toBe(true);
    expect(parts.read(["И".repeat(256), "Ф", "89123456789"], 3)).toEqual({
      ok: false,
      line: 3,
      error: 'column "Имя" (first name): 256 characters; the appliance keeps at most 255',
    });
    expect(parts.read(["И", "Ф".repeat(256), "89123456789"], 4)).toEqual({
      ok: false,
      line: 4,
      error: 'column "Фамилия" (last name): 256 characters; the appliance keeps at most 255',
    });
  });

  it("refuses a row without e-mail when the pid is the address, naming the rule", () => {
    const rows = guests(["Телефон", "Почта"], { pidRule: "email" });
    expect(rows.read(["89123456789", " "], 4)).toEqual({
      ok: false,
      line: 4,
      error: 'column "Почта" (e-mail): no e-mail address, which the pid rule "email" needs',
    });
    expect(rows.read(["89123456789", "a^b@mail.ru"], 5)).toEqual({
      ok: false,
      line: 5,
      error:
        'column "Почта" (e-mail): the pid "a^b@mail.ru": AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance\'s rule for user ids)',
    });
  });

  it("refuses the same person a second time, naming the line they were first on", () => {
    const rows = russian();
    expect(rows.read(["Иванов Иван", "8 (912) 345-67-89", "", ""], 2).ok).toBe(true);
    expect(rows.read(["Петров Пётр", "89234567890", "", ""], 3).ok).toBe(true);
    expect(rows.read(["Иванов И.", "+7 912 345 6789", "ivan@mail.ru", ""], 4)).toEqual({
      ok: false,
      line: 4,
      error: "the same person as line 2 (same phone number)",
    });
    expect(rows.read(["Петров", "+7-923-456-78-90", "", ""], 9)).toEqual({
      ok: false,
      line: 9,
      error: "the same person as line 3 (same phone number)",
    });
  });

  it("refuses a second person with the same pid, as the appliance compares pids", () => {
    const rows = guests(["Телефон", "Почта"], { pidRule: "email" });
    expect(rows.read(["89123456789", "Anna@mail.ru"], 2).ok).toBe(true);
    expect(rows.read(["89234567890", "anna@MAIL.ru"], 3)).toEqual({
      ok: false,
      line: 3,
      error: "the same person as line 2 (same pid)",
    });
    expect(rows.read(["89234567890", "other@mail.ru"], 4).ok).toBe(true);
  });

  it("remembers only the rows it took", () => {
    const rows = russian();
    expect(rows.read(["Иванов", "89123456789", "bad", ""], 2).ok).toBe(false);
    expect(rows.read(["Иванов", "89123456789", "", ""], 3).ok).toBe(true);
    expect(rows.read(["Иванов", "89123456789", "", ""], 4)).toEqual({
      ok: false,
      line: 4,
      error: "the same person as line 3 (same phone number)",
    });
  });

  it("reads numbers without a country code by the region given", () => {
    const rows = guests(["phone"], { phoneRegion: "US" });
    expect(rows.read(["(212) 555-0123"], 2)).toEqual({
      ok: true,
      guest: { line: 2, pid: "12125550123", telephone: "+12125550123" },
    });
  });

  it("refuses, when built, a pid rule the columns cannot serve", () => {
    expect(() => guests(["Телефон"], { pidRule: "email" })).toThrow(
      new RangeError('the pid rule "email" needs an e-mail column; name it with --email-column'),
    );
  });
});

describe("checkPidRule", () => {
  const columns = (names: string[]) =>
    locateRegistrationColumns({ names, delimiter: ",", line: 1 });

  it("takes the phone rule with any columns, the e-mail rule with an e-mail column", () => {
    expect(checkPidRule(columns(["Телефон"]), "phone")).toBeUndefined();
    expect(checkPidRule(columns(["Телефон", "Email"]), "email")).toBeUndefined();
  });

  it("refuses the e-mail rule without an e-mail column, naming the flags", () => {
    expect(checkPidRule(columns(["Телефон"]), "email")).toEqual({
      option: "--pid-rule",
      message: 'the pid rule "email" needs an e-mail column; name it with --email-column',
    });
  });
});
