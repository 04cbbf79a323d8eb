import type { OptionProblem } from "./account-settings";
import { quoteCell } from "./cell-quote";
import { readGuestEmail } from "./guest-email";
import { guestPid, type PidRule } from "./guest-pid";
import type { OnboardField } from "./known-headers";
import { type PersonName, splitFullName, tidyName } from "./person-name";
import { normalisePhone, type PhoneRegion } from "./phone-number";
import type { LocatedColumn, RegistrationColumns } from "./registration-columns";

/** How every row of one onboarding is read: the command's options. */
export interface GuestRowOptions {
  /** The region of numbers written without a country code. */
  phoneRegion: PhoneRegion;
  pidRule: PidRule;
  /** Put before every pid; empty or absent for none. Checked beforehand by checkPidPrefix. */
  pidPrefix?: string;
}

/** A guest to create, the fields named as a bulk_import item names them; `line` is the file's. */
export interface RegistrationGuest {
  line: number;
  pid: string;
  firstname?: string;
  lastname?: string;
  email?: string;
  /** E.164, "+" included: the number the password's SMS goes to. */
  telephone: string;
  company?: string;
}

/** A guest, or why the row cannot be one: the columns and problems, a phone or address cut short. */
export type GuestRowReading =
  | { ok: true; guest: RegistrationGuest }
  | { ok: false; line: number; error: string };

/** The appliance keeps a person's names and company in varchar(255) columns. */
const TEXT_LIMIT = 255;

const FIELD_WORDS: Readonly<Record<OnboardField, string>> = {
  fullName: "name",
  firstName: "first name",
  lastName: "last name",
  email: "e-mail",
  phone: "phone",
  company: "company",
};

/** Why the pid rule cannot be followed with these columns; undefined when it can. */
export function checkPidRule(
  columns: RegistrationColumns,
  rule: PidRule,
): OptionProblem | undefined {
  if (rule === "email" && columns.email === undefined) {
    return {
      option: "--pid-rule",
      message: 'the pid rule "email" needs an e-mail column; name it with --email-column',
    };
  }
  return undefined;
}

/**
 * Turns an export's rows into guests, one row at a time, in file order. A person is created once:
 * a row with a phone number or pid (compared as the appliance compares pids) already taken from
 * an earlier row is refused, naming that row's line. Only the rows taken are remembered, a Map
 * entry each: an event's export has at most some hundred thousand rows.
 */
export class RegistrationGuests {
  readonly #columns: RegistrationColumns;
  readonly #options: GuestRowOptions;
  /** The fields a row must have: one past the last column read. */
  readonly #needed: number;
  readonly #lineOfPhone = new Map<string, number>();
  readonly #lineOfPid = new Map<string, number>();

  constructor(columns: RegistrationColumns, options: GuestRowOptions) {
    const problem = checkPidRule(columns, options.pidRule);
    if (problem !== undefined) throw new RangeError(problem.message);
    this.#columns = columns;
    this.#options = options;
    const located = Object.values(columns) as LocatedColumn[];
    this.#needed = Math.max(...located.map((column) => column.index)) + 1;
  }

  read(record: string[], line: number): GuestRowReading {
    if (record.length < this.#needed) {
      return { ok: false, line, error: `expected ${this.#needed} fields, found ${record.length}` };
    }
    const columns = this.#columns;
    const cell = (column: LocatedColumn | undefined) =>
      column === undefined ? "" : (record[column.index] as string);
    const problems: string[] = [];
    const refuse = (field: OnboardField, problem: string) =>
      problems.push(`${label(columns, field)}: ${problem}`);

    const name = this.#name(cell, refuse);
    const company = tidyName(cell(columns.company));
    if (company !== undefined && company.length > TEXT_LIMIT) refuse("company", tooLong(company));

    const phoneCell = cell(columns.phone).trim();
    const phone = normalisePhone(phoneCell, this.#options.phoneRegion);
    if (!phone.ok) {
      refuse("phone", phoneCell === "" ? phone.reason : `${quoteCell(phoneCell)} ${phone.reason}`);
    }
    const emailCell = cell(columns.email).trim();
    const email = readGuestEmail(emailCell);
    if (!email.ok) refuse("email", `${quoteCell(emailCell)} ${email.reason}`);
    if (!phone.ok || !email.ok) return { ok: false, line, error: problems.join("; ") };

    const pid = guestPid(
      { e164: phone.e164, email: email.email },
      { rule: this.#options.pidRule, prefix: this.#options.pidPrefix },
    );
    // A pid rule is named after the field the pid is made of, so its column is the one to blame.
    if (!pid.ok) refuse(this.#options.pidRule, pid.reason);
    if (!pid.ok || problems.length > 0) return { ok: false, line, error: problems.join("; ") };

    const again = this.#earlierLine(phone.e164, pid.pid, line);
    if (again !== undefined) return { ok: false, line, error: again };
    const guest: RegistrationGuest = { line, pid: pid.pid, ...name, telephone: phone.e164 };
    if (email.email !== undefined) guest.email = email.email;
    if (company !== undefined) guest.company = company;
    return { ok: true, guest };
  }

  /** The row's name from a full-name column or first and last name columns; parts too long refused. */
  #name(
    cell: (column: LocatedColumn | undefined) => string,
    refuse: (field: OnboardField, problem: string) => void,
  ): PersonName {
    const { fullName, firstName, lastName } = this.#columns;
    const name: PersonName = {};
    if (fullName !== undefined) Object.assign(name, splitFullName(cell(fullName), fullName.order));
    const first = tidyName(cell(firstName));
    const last = tidyName(cell(lastName));
    if (first !== undefined) name.firstname = first;
    if (last !== undefined) name.lastname = last;
    const longest = Math.max(name.firstname?.length ?? 0, name.lastname?.length ?? 0);
    if (longest > TEXT_LIMIT) {
      if (fullName !== undefined) refuse("fullName", `${longest} characters; ${KEPT}`);
      if ((first?.length ?? 0) > TEXT_LIMIT) refuse("firstName", tooLong(first as string));
      if ((last?.length ?? 0) > TEXT_LIMIT) refuse("lastName", tooLong(last as string));
    }
    return name;
  }

  /** Why the person was already taken from an earlier row; undefined (and remembered) if not. */
  #earlierLine(e164: string, pid: string, line: number): string | undefined {
    const samePhone = this.#lineOfPhone.get(e164);
    if (samePhone !== undefined) return `the same person as line ${samePhone} (same phone number)`;
    // The appliance finds pids case-insensitively (docs/axelnac-api.md §7).
    const pidKey = pid.toLowerCase();
    const samePid = this.#lineOfPid.get(pidKey);
    if (samePid !== undefined) return `the same person as line ${samePid} (same pid)`;
    this.#lineOfPhone.set(e164, line);
    this.#lineOfPid.set(pidKey, line);
    return undefined;
  }
}

const KEPT = `the appliance keeps at most ${TEXT_LIMIT}`;

function tooLong(text: string): string {
  return `${text.length} characters; ${KEPT}`;
}

/** 'column "Телефон" (phone)': the column as the file names it, and what it holds. */
function label(columns: RegistrationColumns, field: OnboardField): string {
  const column = columns[field] as LocatedColumn;
  return `column ${quoteCell(column.name)} (${FIELD_WORDS[field]})`;
}
