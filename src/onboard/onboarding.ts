import { randomUUID } from "node:crypto";
import {
  CsvError,
  type CsvHeader,
  type CsvReadOptions,
  type CsvRecord,
  readCsv,
} from "../import/csv";
import { isRejectsFile } from "../import/csv/format";
import { unescapeFormula } from "../import/csv/formula-escape";
import { type ImportCounts, ImportSetupError } from "../import/importer";
import type { GuestAccountsJob, OnboardedGuest } from "../jobs/guest-accounts-job";
import { generateGuestPassword } from "./guest-password";
import type { OnboardPlan } from "./onboard-choices";
import { locateRegistrationColumns } from "./registration-columns";
import { checkPidRule, type RegistrationGuest, RegistrationGuests } from "./registration-guest";

/** Onboarding jobs written per Redis round trip (one MULTI). */
export const JOBS_PER_WRITE = 40;

/** An onboarding's resolved choices, and what it reads and writes to. */
export interface OnboardingSettings extends OnboardPlan {
  csv: CsvReadOptions;
  batchId: string;
  /** The id of the HTTP API key that uploaded the file (`serve`): every job's `submitted_by`. */
  submittedBy?: string;
}

/** A bad row: its line, why (never quoting more than the cell at fault), and its cells for the rejects file. */
export interface OnboardingRejection {
  line: number;
  error: string;
  fields: string[];
}

export interface OnboardingRunOptions {
  /** Writes onboarding jobs (one MULTI); the dry run's counts them. A throw stops the run. */
  write: (jobs: GuestAccountsJob[]) => Promise<void>;
  /** Each bad row, in file order; awaited, so that a slow rejects file slows the run down. */
  onRejected?: (row: OnboardingRejection) => void | Promise<void>;
  /** Stops reading: the guests read so far are still queued, the rest of the file is not read. */
  signal?: AbortSignal;
}

export interface OnboardingResult extends ImportCounts {
  stoppedBy?: CsvError;
  interruptedAfterLine?: number;
}

/**
 * Reads an export's header and checks it against the settings: a header without a phone column,
 * a flag naming a missing column, a pid rule the columns cannot follow surface here (CsvError,
 * ImportSetupError), before anything is queued. `run` then streams the rows.
 */
export async function openOnboarding(
  input: AsyncIterable<Uint8Array>,
  settings: OnboardingSettings,
): Promise<Onboarding> {
  const reading = readCsv(input, settings.csv);
  const read = await reading.header;
  // A rejects file of an earlier run comes back as the rows were, its formula escapes undone.
  const escaped = isRejectsFile(read);
  const header = escaped ? { ...read, names: read.names.map(unescapeFormula) } : read;
  const columns = locateRegistrationColumns(header, settings.columns);
  const problem = checkPidRule(columns, settings.rows.pidRule);
  if (problem) throw new ImportSetupError(`${problem.option}: ${problem.message}`);
  const guests = new RegistrationGuests(columns, settings.rows);
  return new Onboarding(read, reading.records, guests, settings, escaped);
}

/**
 * One run over an export: each row becomes a guest to create, or a rejected row; guests are
 * grouped into onboarding jobs of `guestsPerJob`, written `JOBS_PER_WRITE` at a time, so memory
 * stays flat however long the file. `counts.enqueued` is the guests queued for their accounts;
 * `duplicates` stays 0: the same person twice is a rejected row, naming the first.
 */
export class Onboarding {
  readonly counts: ImportCounts = { rows: 0, enqueued: 0, duplicates: 0, rejected: 0 };
  lastLine = 0;
  /** This run's mark, left in the notes of the guests it creates. */
  readonly mark = randomUUID();
  readonly #records: AsyncIterable<CsvRecord>;
  readonly #guests: RegistrationGuests;
  readonly #settings: OnboardingSettings;
  readonly #escaped: boolean;

  constructor(
    readonly header: CsvHeader,
    records: AsyncIterable<CsvRecord>,
    guests: RegistrationGuests,
    settings: OnboardingSettings,
    escaped: boolean,
  ) {
    this.#records = records;
    this.#guests = guests;
    this.#settings = settings;
    this.#escaped = escaped;
  }

  async run(options: OnboardingRunOptions): Promise<OnboardingResult> {
    let group: OnboardedGuest[] = [];
    let jobs: GuestAccountsJob[] = [];
    const close = () => {
      if (group.length > 0) jobs.push(this.#job(group));
      group = [];
    };
    const write = async () => {
      if (jobs.length === 0) return;
      const written = jobs;
      jobs = [];
      await options.write(written);
      for (const job of written)
        for (const guest of job.guests) this.#settle(guest.line, "enqueued");
    };
    const reject = async (row: OnboardingRejection) => {
      this.#settle(row.line, "rejected");
      await options.onRejected?.(row);
    };
    try {
      for await (const record of this.#records) {
        const fields = this.#escaped ? record.fields.map(unescapeFormula) : record.fields;
        if (record.error !== undefined) {
          await reject({ line: record.line, error: record.error, fields });
        } else {
          const reading = this.#guests.read(fields, record.line);
          if (reading.ok) group.push(this.#withPassword(reading.guest));
          else await reject({ line: reading.line, error: reading.error, fields });
        }
        if (group.length >= this.#settings.guestsPerJob) close();
        if (jobs.length >= JOBS_PER_WRITE) await write();
        if (options.signal?.aborted) {
          close();
          await write();
          return { ...this.counts, interruptedAfterLine: this.lastLine };
        }
      }
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      close();
      await write();
      await reject({ line: error.line, error: error.problem, fields: [] });
      return { ...this.counts, stoppedBy: error };
    }
    close();
    await write();
    return { ...this.counts };
  }

  #withPassword(guest: RegistrationGuest): OnboardedGuest {
    const length = this.#settings.passwordLength;
    return length === undefined ? guest : { ...guest, password: generateGuestPassword(length) };
  }

  #job(guests: OnboardedGuest[]): GuestAccountsJob {
    const { batchId, sourceId, account, resetPasswords, submittedBy } = this.#settings;
    return {
      batch_id: batchId,
      source_id: sourceId,
      ...(submittedBy === undefined ? {} : { submitted_by: submittedBy }),
      run: this.mark,
      reset_passwords: resetPasswords,
      account: { ...account, actions: account.actions.map((action) => ({ ...action })) },
      guests,
    };
  }

  #settle(line: number, outcome: "enqueued" | "rejected"): void {
    this.counts.rows++;
    this.counts[outcome]++;
    if (line > this.lastLine) this.lastLine = line;
  }
}
