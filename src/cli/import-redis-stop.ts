/*
 * What `axelnac-courier import` says when Redis stops it part-way: an account of every row of the
 * file (each in exactly one count) and how to finish. The command leads each line with `import: `.
 */
import { formatDuration } from "../config/duration";
import type { ImportCounts } from "../import/importer";
import { type RedisStop, unsettledRows } from "../import/redis-stop";
import { plural } from "../logging/plural";

/** The lines after `failed: CODE: …`, one sentence a line. */
export function redisStopAccount(
  stop: RedisStop,
  counts: ImportCounts,
  choices: { resend: boolean; duplicateWindowMs: number },
): string[] {
  const lines = [`the import stopped part-way; every row of the file is accounted for:`];
  const item = (text: string) => lines.push(`  ${text}`);
  item(`${rows(counts.enqueued)} enqueued (confirmed by Redis)`);
  if (counts.duplicates > 0)
    item(`${rows(counts.duplicates)} skipped as duplicates (confirmed by Redis)`);
  if (counts.rejected > 0) item(`${rows(counts.rejected)} rejected (reported above by line)`);
  const { unconfirmed, refused, notAttempted } = stop;
  if (unconfirmed) {
    item(
      `${rows(unconfirmed.rows)} unconfirmed (${lineSpan(unconfirmed)}): sent as Redis stopped ` +
        "answering; Redis enqueued all of them or none",
    );
  }
  if (refused)
    item(`${rows(refused.rows)} not enqueued (${lineSpan(refused)}): Redis refused them`);
  if (notAttempted.rows > 0 || notAttempted.unreadableFromLine !== undefined) {
    const from =
      notAttempted.fromLine === undefined ? "" : ` (from line ${notAttempted.fromLine} on)`;
    const unreadable =
      notAttempted.unreadableFromLine === undefined
        ? ""
        : `; the file cannot be read from line ${notAttempted.unreadableFromLine} on`;
    item(`${rows(notAttempted.rows)} not enqueued${from}: not attempted${unreadable}`);
  }
  if (/\bOOM\b/.test(stop.message)) {
    lines.push(
      "Redis is out of memory: give it more (maxmemory) or free some; a queue needs " +
        "maxmemory-policy noeviction, so it refuses writes rather than lose jobs",
    );
  }
  const fix =
    stop.code === "COURIER_REDIS_UNREACHABLE" ? "once Redis answers again" : "once it is fixed";
  if (choices.resend) {
    lines.push(
      `${fix}, import only the rows not enqueued: with --resend, importing the same file again ` +
        "would send a second SMS to every guest already enqueued",
    );
  } else {
    lines.push(
      `${fix}, import the same file again: the rows already enqueued are skipped as duplicates ` +
        `(within DUPLICATE_WINDOW, ${formatDuration(choices.duplicateWindowMs)}), so nobody gets ` +
        "a second SMS, and the rest are enqueued",
    );
  }
  return lines;
}

/** `batch ID: N rows, E enqueued, D duplicates skipped, R rejected, U unconfirmed, X not enqueued` */
export function stoppedSummary(batchId: string, counts: ImportCounts, stop: RedisStop): string {
  const notEnqueued = (stop.refused?.rows ?? 0) + stop.notAttempted.rows;
  return (
    `batch ${batchId}: ${rows(counts.rows + unsettledRows(stop))}, ${counts.enqueued} enqueued, ` +
    `${plural(counts.duplicates, "duplicate")} skipped, ${counts.rejected} rejected, ` +
    `${stop.unconfirmed?.rows ?? 0} unconfirmed, ${notEnqueued} not enqueued`
  );
}

function rows(count: number): string {
  return plural(count, "row");
}

function lineSpan({ firstLine, lastLine }: { firstLine: number; lastLine: number }): string {
  return firstLine === lastLine ? `line ${firstLine}` : `lines ${firstLine}–${lastLine}`;
}
