import type { ImportCounts } from "../import/importer";
import { plural } from "../logging/plural";
import { RateMeter, shareBar, timeLeft } from "./progress-bar";

/** What the display reads on each tick. */
export interface ImportProgressSource {
  counts: Readonly<ImportCounts>;
  /** Bytes of the file read so far, and its size: the share done and the ETA come from them. */
  bytesRead(): number;
  totalBytes: number;
  dryRun: boolean;
}

export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

/** A terminal is redrawn at most this often; a log file or pipe gets one line this often. */
export const TERMINAL_REDRAW_MS = 100;
export const LOG_LINE_MS = 2_000;
const BAR_WIDTH = 24;
const CLEAR_LINE = "\r\x1b[K";

/**
 * The import's progress on stderr. On a terminal, one bar redrawn in place (bad rows are printed
 * above it); otherwise a plain line every 2 s, which a log file or CI output can keep.
 */
export class ImportProgress {
  readonly #stream: ProgressStream;
  readonly #source: ImportProgressSource;
  readonly #rows = new RateMeter();
  readonly #bytes = new RateMeter();
  readonly #tty: boolean;
  #timer: NodeJS.Timeout | undefined;
  #barShown = false;

  constructor(stream: ProgressStream, source: ImportProgressSource) {
    this.#stream = stream;
    this.#source = source;
    this.#tty = stream.isTTY === true;
  }

  start(now = Date.now()): void {
    // The meters' first sample: the first rate shown is then an average since the start.
    this.#rows.add(this.#source.counts.rows, now);
    this.#bytes.add(this.#source.bytesRead(), now);
    this.#timer = setInterval(() => this.#tick(), this.#tty ? TERMINAL_REDRAW_MS : LOG_LINE_MS);
    this.#timer.unref();
  }

  /** A line of its own (a bad row), above the bar on a terminal. */
  line(text: string): void {
    this.#clearBar();
    this.#stream.write(`${text}\n`);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clearBar();
  }

  #tick(now = Date.now()): void {
    const { counts } = this.#source;
    const rowRate = this.#rows.add(counts.rows, now);
    const byteRate = this.#bytes.add(this.#source.bytesRead(), now);
    if (this.#tty) {
      this.#stream.write(`${CLEAR_LINE}${this.#bar(rowRate, byteRate)}`);
      this.#barShown = true;
    } else {
      this.#stream.write(`${describeProgress(counts, rowRate, this.#source.dryRun)}\n`);
    }
  }

  /** `[█████░░░░░]  42%  42000 rows  9800 rows/s  ETA 6s` */
  #bar(rowRate: number, byteRate: number): string {
    const { totalBytes } = this.#source;
    const read = this.#source.bytesRead();
    const eta = timeLeft(read, totalBytes, byteRate);
    return `${shareBar(read, totalBytes, BAR_WIDTH)}  ${plural(this.#source.counts.rows, "row")}  ${Math.round(rowRate)} rows/s${eta ? `  ${eta}` : ""}`;
  }

  #clearBar(): void {
    if (!this.#barShown) return;
    this.#stream.write(CLEAR_LINE);
    this.#barShown = false;
  }
}

/** `imported 20000 rows (19850 enqueued, 12 duplicates, 138 rejected), 9800 rows/s` */
export function describeProgress(counts: ImportCounts, rowRate: number, dryRun: boolean): string {
  const rate = `${Math.round(rowRate)} rows/s`;
  if (dryRun) {
    return `checked ${plural(counts.rows, "row")} (${counts.enqueued} valid, ${counts.rejected} rejected), ${rate}`;
  }
  return `imported ${plural(counts.rows, "row")} (${counts.enqueued} enqueued, ${plural(counts.duplicates, "duplicate")}, ${counts.rejected} rejected), ${rate}`;
}
