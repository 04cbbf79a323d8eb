import type { EnqueueInterruptedError } from "../producer";

/** Rows of the file, by count and by the lines they start on. */
export interface RowSpan {
  rows: number;
  firstLine: number;
  lastLine: number;
}

/**
 * Redis stopped the import part-way (no answer within the deadline, or a refusal such as out of
 * memory): what became of the rows that were not settled. Every row of the file is in exactly
 * one place: the import's counts (enqueued, duplicates, rejected) or one of these.
 */
export interface RedisStop {
  code: string;
  message: string;
  /** Sent when Redis stopped answering: Redis wrote them all or none of them. */
  unconfirmed?: RowSpan;
  /** Redis answered that it did not write them. */
  refused?: RowSpan;
  /** Never sent: the rest of the file (read to count it, nothing enqueued). */
  notAttempted: { rows: number; fromLine?: number; unreadableFromLine?: number };
}

/** The stop, from the producer's error and the lines of the chunk it was given. */
export function redisStopOf(error: EnqueueInterruptedError, lines: readonly number[]): RedisStop {
  const { unconfirmed, refused, notAttempted } = error.items;
  const lineOf = (index: number) => lines[index] as number;
  const stop: RedisStop = {
    code: error.code,
    message: error.message,
    notAttempted: { rows: 0 },
  };
  const unconfirmedSpan = spanOf(unconfirmed.map(lineOf));
  if (unconfirmedSpan) stop.unconfirmed = unconfirmedSpan;
  const refusedSpan = spanOf(refused.map(lineOf));
  if (refusedSpan) stop.refused = refusedSpan;
  for (const index of notAttempted) addNotAttempted(stop, lineOf(index));
  return stop;
}

/** One more row never sent, starting on this line. */
export function addNotAttempted(stop: RedisStop, line: number): void {
  const rest = stop.notAttempted;
  rest.rows++;
  if (rest.fromLine === undefined || line < rest.fromLine) rest.fromLine = line;
}

/** Rows left unsettled by the stop: they complete the import's counts to the whole file. */
export function unsettledRows(stop: RedisStop): number {
  return (stop.unconfirmed?.rows ?? 0) + (stop.refused?.rows ?? 0) + stop.notAttempted.rows;
}

function spanOf(lines: number[]): RowSpan | undefined {
  if (lines.length === 0) return undefined;
  return { rows: lines.length, firstLine: Math.min(...lines), lastLine: Math.max(...lines) };
}
