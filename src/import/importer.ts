import { type DeliveryJob, type JobProblem, validateDeliveryJob } from "../jobs/job-schema";
import {
  type Enqueued,
  EnqueueInterruptedError,
  type EnqueueManyOptions,
  type EnqueueManyResult,
} from "../producer";
import {
  COLUMN_FLAGS,
  type ColumnMap,
  CsvError,
  type CsvHeader,
  type CsvReadOptions,
  DEFAULT_COLUMNS,
  mapRegistrations,
  type RegistrationRow,
  type RejectedRow,
  readCsv,
} from "./csv";
import type { GuestCheck } from "./guest-verification";
import { addNotAttempted, type RedisStop, redisStopOf } from "./redis-stop";
import { RepeatedPids } from "./repeated-pids";

/**
 * The BullMQ priority of every imported job: the import lane. BullMQ hands out jobs without a
 * priority (single `enqueue`s, plain producers) before any prioritized job, and prioritized jobs
 * by ascending priority, first in first out within one. So a walk-in guest enqueued one by one
 * while a 50,000-guest import is still waiting is the very next job a worker takes, delivered
 * within seconds instead of behind the whole event. 1000 rather than the lowest priority leaves
 * room on both sides: an urgent `enqueue --priority 1` still goes before the import, a later
 * lane can go after it.
 */
export const IMPORT_LANE_PRIORITY = 1000;

/** Rows written per Redis round trip (one `enqueueMany`, one BullMQ addBulk). */
export const IMPORT_CHUNK_SIZE = 1000;

/** What an import needs of the producer: `DeliveryProducer`, or the dry run's stand-in. */
export interface ChunkProducer {
  enqueueMany(items: unknown[], options?: EnqueueManyOptions): Promise<EnqueueManyResult>;
}

export interface ImportSettings {
  csv: CsvReadOptions;
  /** Only the columns the admin named; the others keep their default names. */
  columns: Partial<ColumnMap>;
  batchId: string;
  /** For rows without a source_id (--source-id, else AXELNAC_SOURCE_ID). */
  defaultSourceId: string | undefined;
  /** The id of the HTTP API key that uploaded the file (`serve`): every job's `submitted_by`. */
  submittedBy?: string;
  chunkSize?: number;
}

/** Rows settled so far: each row is counted once, when it is enqueued, skipped or rejected. */
export interface ImportCounts {
  rows: number;
  enqueued: number;
  duplicates: number;
  rejected: number;
}

/** A bad row, `error` ready to print after `line N: ` (it never quotes a cell). */
export type ImportRejection = RejectedRow;

export interface ImportRunOptions {
  sendAt?: Date;
  /** Send every row: a pid already sent, or sent on an earlier line of the file, too. */
  resend?: boolean;
  /** Each bad row, in file order; awaited, so that a slow rejects file slows the import down. */
  onRejected?: (row: ImportRejection) => void | Promise<void>;
  /** Stops reading: the rows read so far are still enqueued, the rest of the file is not read. */
  signal?: AbortSignal;
  /**
   * Checks each chunk's guests on the appliance before it is enqueued (`--verify-guests`): a row
   * whose guest cannot get an SMS is rejected with the reason given. A throw stops the import.
   */
  verifyGuests?: GuestCheck;
}

export interface ImportResult extends ImportCounts {
  /** The file could not be read from this error on; every row before it was imported. */
  stoppedBy?: CsvError;
  /** The signal stopped the import after this file line. */
  interruptedAfterLine?: number;
  /** Redis stopped the import: what became of the rows not counted above. */
  redisStop?: RedisStop;
}

/**
 * A problem with the options that only the header reveals, found before anything is enqueued:
 * the command's usage error.
 */
export class ImportSetupError extends Error {
  override name = "ImportSetupError";
  readonly code = "COURIER_IMPORT_SETUP";
}

/**
 * Reads the header of a registration file and checks it against the settings: every problem of
 * the header, the options or the first chunk's bytes surfaces here (CsvError,
 * InvalidCsvOptionError, ImportSetupError), before anything is enqueued. `run` then streams the
 * rows in chunks, so memory stays flat whatever the file's size.
 */
export async function openImport(
  input: AsyncIterable<Uint8Array>,
  settings: ImportSettings,
): Promise<RegistrationImport> {
  const reading = readCsv(input, settings.csv);
  const header = await reading.header;
  const columns: ColumnMap = { ...DEFAULT_COLUMNS, ...settings.columns };
  const hasColumn = (field: keyof ColumnMap) =>
    header.names.some((name) => name.toLowerCase() === columns[field].trim().toLowerCase());
  for (const field of ["source_id", "reference"] as const) {
    const named = settings.columns[field];
    if (named !== undefined && !hasColumn(field)) {
      throw new CsvError(
        header.line,
        `no column named ${JSON.stringify(named.trim())} (${COLUMN_FLAGS[field]})`,
      );
    }
  }
  if (settings.defaultSourceId === undefined && !hasColumn("source_id")) {
    throw new ImportSetupError(
      `the file has no ${JSON.stringify(columns.source_id)} column and no default SMS source is ` +
        "set: give one with --source-id or AXELNAC_SOURCE_ID (or name the column with " +
        `${COLUMN_FLAGS.source_id})`,
    );
  }
  const rows = mapRegistrations(header, reading.records, settings.columns);
  return new RegistrationImport(header, rows, columns, settings);
}

interface PendingRow {
  line: number;
  job: DeliveryJob;
  fields: string[];
}

export class RegistrationImport {
  readonly counts: ImportCounts = { rows: 0, enqueued: 0, duplicates: 0, rejected: 0 };
  /** The file line of the last row settled. */
  lastLine = 0;
  readonly #rows: AsyncIterable<RegistrationRow | RejectedRow>;
  readonly #columns: ColumnMap;
  readonly #settings: ImportSettings;

  constructor(
    readonly header: CsvHeader,
    rows: AsyncIterable<RegistrationRow | RejectedRow>,
    columns: ColumnMap,
    settings: ImportSettings,
  ) {
    this.#rows = rows;
    this.#columns = columns;
    this.#settings = settings;
  }

  /**
   * Validates each row with the job schema and enqueues the good ones in chunks, in the import
   * lane; bad rows go to `onRejected` and do not stop the others. Unless `resend`, a row that
   * sends a pid of an earlier row another password or source is a bad row: the guest would get
   * two SMS, one of them with a wrong password. A CsvError past the header
   * (bytes the encoding cannot decode, a quote never closed) ends the import there as one more
   * bad row: the rows before it are enqueued. When Redis stops answering or refuses to write, the
   * rest of the file is read only to count it (`redisStop`). Any other error is thrown; `counts`
   * then says what was done.
   */
  async run(producer: ChunkProducer, options: ImportRunOptions = {}): Promise<ImportResult> {
    const chunkSize = this.#settings.chunkSize ?? IMPORT_CHUNK_SIZE;
    const enqueueOptions: EnqueueManyOptions = {
      priority: IMPORT_LANE_PRIORITY,
      resend: options.resend ?? false,
      chunkSize,
    };
    if (options.sendAt) enqueueOptions.sendAt = options.sendAt;
    const reject = async (row: RejectedRow) => {
      this.#settle(row.line);
      this.counts.rejected++;
      await options.onRejected?.(row);
    };
    let pending: PendingRow[] = [];
    let redisStop: RedisStop | undefined;
    const repeated = options.resend ? undefined : new RepeatedPids();
    const flush = async () => {
      if (pending.length === 0) return;
      let chunk = pending;
      pending = [];
      if (options.verifyGuests) {
        const problems = await options.verifyGuests(chunk.map((row) => row.job.pid));
        const reachable: PendingRow[] = [];
        for (const [index, row] of chunk.entries()) {
          const problem = problems[index];
          if (problem === undefined) reachable.push(row);
          else await reject({ line: row.line, error: problem, fields: row.fields });
        }
        chunk = reachable;
        if (chunk.length === 0) return;
      }
      let result: EnqueueManyResult;
      try {
        result = await producer.enqueueMany(
          chunk.map((row) => row.job),
          enqueueOptions,
        );
      } catch (error) {
        if (!(error instanceof EnqueueInterruptedError)) throw error;
        this.#settleAccepted(chunk, error.items.accepted);
        for (const { index, reason } of error.items.rejected) {
          const row = chunk[index] as PendingRow;
          await reject({ line: row.line, error: reason, fields: row.fields });
        }
        redisStop = redisStopOf(
          error,
          chunk.map((row) => row.line),
        );
        return;
      }
      this.#settleAccepted(chunk, result.accepted);
      // Not expected: the rows passed the same schema. Reported all the same, never lost.
      for (const { index, reason } of result.rejected) {
        const row = chunk[index] as PendingRow;
        await reject({ line: row.line, error: reason, fields: row.fields });
      }
    };
    const stopped = (extra: Partial<ImportResult> = {}): ImportResult => ({
      ...this.counts,
      ...extra,
      ...(redisStop ? { redisStop } : {}),
    });

    try {
      for await (const row of this.#rows) {
        if (redisStop) {
          addNotAttempted(redisStop, row.line);
          continue;
        }
        if ("error" in row) await reject(row);
        else {
          const checked = this.#toJob(row);
          const earlier =
            typeof checked === "string" ? undefined : repeated?.earlierLine(checked, row.line);
          if (typeof checked === "string") await reject({ ...row, error: checked });
          else if (earlier !== undefined) {
            await reject({ ...row, error: this.#repeated(checked.pid, earlier) });
          } else pending.push({ line: row.line, job: checked, fields: row.fields });
        }
        if (pending.length >= chunkSize) await flush();
        if (options.signal?.aborted && !redisStop) {
          await flush();
          if (!redisStop) return stopped({ interruptedAfterLine: this.lastLine });
        }
      }
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      if (redisStop) {
        redisStop.notAttempted.unreadableFromLine = error.line;
        return stopped();
      }
      await flush();
      await reject({ line: error.line, error: error.problem, fields: [] });
      return stopped({ stoppedBy: error });
    }
    await flush();
    return stopped();
  }

  /** Rows Redis confirmed: enqueued, or skipped as duplicates. */
  #settleAccepted(chunk: readonly PendingRow[], accepted: readonly Enqueued[]): void {
    for (const { index, duplicate } of accepted) {
      this.#settle((chunk[index ?? 0] as PendingRow).line);
      if (duplicate) this.counts.duplicates++;
      else this.counts.enqueued++;
    }
  }

  #settle(line: number): void {
    this.counts.rows++;
    if (line > this.lastLine) this.lastLine = line;
  }

  /** The row's job, or why it cannot be one. */
  #toJob(row: RegistrationRow): DeliveryJob | string {
    const source_id = row.source_id ?? this.#settings.defaultSourceId;
    if (source_id === undefined) {
      return `${this.#label("source_id")} is empty and no default is set (--source-id or AXELNAC_SOURCE_ID)`;
    }
    const data: Record<string, string | number> = {
      pid: row.pid,
      password: row.password,
      source_id,
      batch_id: this.#settings.batchId,
      // For `failed list`: the row to fix when the appliance refuses this delivery.
      file_line: row.line,
    };
    if (row.reference !== undefined) data.reference = row.reference;
    if (this.#settings.submittedBy !== undefined) data.submitted_by = this.#settings.submittedBy;
    const validation = validateDeliveryJob(data);
    return validation.ok ? validation.job : this.#describe(validation.problems);
  }

  /** The pid has passed the schema: it is safe to show. */
  #repeated(pid: string, earlierLine: number): string {
    return (
      `${this.#label("pid")} '${pid}' already appears on line ${earlierLine} with another ` +
      "password or SMS source: this row is not sent (--resend sends both)"
    );
  }

  /** The schema's problems in the file's terms: `pid (column "Login"): may only contain …`. */
  #describe(problems: readonly JobProblem[]): string {
    return problems
      .map(({ field, message }) => {
        if (field === null) return message;
        const name = field in this.#columns ? this.#label(field as keyof ColumnMap) : field;
        return `${name}: ${message}`;
      })
      .join("; ");
  }

  #label(field: keyof ColumnMap): string {
    const column = this.#columns[field].trim();
    return column.toLowerCase() === field ? field : `${field} (column ${JSON.stringify(column)})`;
  }
}
