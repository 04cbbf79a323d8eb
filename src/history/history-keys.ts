/**
 * Where a queue's delivery history lives in Redis. Records are grouped by when they expire, in
 * buckets: every record of a bucket, and every index entry pointing at one, goes at the same
 * moment, with the bucket's keys. No index entry outlives its record, nothing grows without
 * bound, and a worker writes a second's deliveries with a few commands, whatever their number.
 *
 * - `<prefix>:<queue>:history:bucket:<until>`  hash {job id: record} (record-encoding.ts), of the
 *   deliveries that finished in one slice of time; expires at `until` (ms since the epoch), which
 *   is that slice's start plus HISTORY_RETENTION
 * - `<prefix>:<queue>:history:bucket:<until>:index`  sorted set, every score 0, read by lex
 *   range: `p<pid>\0<job id>`, `r<reference>\0<job id>`, `b<batch id>\0<job id>` for each record of
 *   the bucket; expires with it
 * - `<prefix>:<queue>:history:buckets`  sorted set {until: until} of the buckets, so that a reader
 *   finds them whatever HISTORY_RETENTION it was started with; trimmed of the expired ones on
 *   every write, and expires HISTORY_RETENTION after the last one
 *
 * A slice is 1/90 of HISTORY_RETENTION (a day of 90 days), and at least 1 s: a record is kept
 * HISTORY_RETENTION after its delivery finished, less up to one slice, and never longer. A job
 * finished again (retried with `failed retry`) has a record in each bucket it finished in: the
 * readers keep the newest.
 */
export interface HistoryKeys {
  buckets: string;
  records(until: number): string;
  index(until: number): string;
}

export function historyKeys(keyPrefix: string, queueName: string): HistoryKeys {
  const base = `${keyPrefix}:${queueName}:history`;
  return {
    buckets: `${base}:buckets`,
    records: (until) => `${base}:bucket:${until}`,
    index: (until) => `${base}:bucket:${until}:index`,
  };
}

/** Slices per retention: a day each of the default 90 days. */
const SLICES_PER_RETENTION = 90;

/** The shortest slice: the workers write once a second, so shorter ones would only add buckets. */
const MIN_SLICE_MS = 1_000;

/**
 * When the bucket of a delivery that finished at `finishedAtMs` expires: the start of its slice
 * of time plus the retention, so at most `retentionMs` after it finished.
 */
export function bucketUntil(finishedAtMs: number, retentionMs: number): number {
  const slice = Math.max(MIN_SLICE_MS, Math.floor(retentionMs / SLICES_PER_RETENTION));
  return Math.floor(finishedAtMs / slice) * slice + retentionMs;
}

/** What an index entry is looked up by. */
export type IndexedField = "pid" | "reference" | "batch";

const FIELD_MARK: Record<IndexedField, string> = { pid: "p", reference: "r", batch: "b" };

/**
 * The index entry of a record: its field's mark, the value, a NUL (no pid or batch id holds one),
 * then the job id.
 */
export function indexEntry(field: IndexedField, value: string, jobId: string): string {
  return `${FIELD_MARK[field]}${value}\0${jobId}`;
}

/**
 * The ZRANGEBYLEX bounds of every entry for `value`: from the value and its NUL, included, to
 * the value followed by the next character, excluded.
 */
export function indexRange(field: IndexedField, value: string): { min: string; max: string } {
  const head = `${FIELD_MARK[field]}${value}`;
  return { min: `[${head}\0`, max: `(${head}\u0001` };
}

/** The job id of an index entry found by `indexRange(field, value)`. */
export function jobIdOfEntry(field: IndexedField, value: string, entry: string): string {
  return entry.slice(FIELD_MARK[field].length + value.length + 1);
}
