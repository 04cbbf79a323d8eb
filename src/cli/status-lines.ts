import type { BatchStatus } from "../batches/batch-status";
import { forTerminal } from "../logging/terminal-text";
import type { FleetPauseStatus } from "../worker/fleet-pause-record";
import { describePause, pauseNote } from "./pause-line";
import { batchProgress } from "./watch-batch";

/**
 * What `status` reports: a batch's or the queue's counts, the fleet pause that holds them back if
 * one runs, and how many worker processes serve the queue (worker-presence.ts).
 */
export type StatusReport = BatchStatus & {
  /** The fleet pause, with its cause in words (`reason`, pause-line.ts). */
  pause: (FleetPauseStatus & { reason: string }) | null;
  workers: number;
};

/** What `status` says of a batch whose jobs came from a plain producer. */
export const TOTAL_UNKNOWN =
  "total unknown: jobs added by a plain producer are counted when a worker takes them";

/** Said instead of a bar that cannot move. */
export const NO_WORKER = "no worker is connected: nothing will be delivered until one starts";

const INDENT = "".padEnd(28);

/** The counts of a batch or the queue, on one line (and its accounts', and a total's caveat). */
export function describeCounts(s: BatchStatus): string {
  // Batch ids are checked by every producer of ours, but read back from Redis: shown safely all the same.
  const name = s.batch === null ? "queue (all jobs)" : `batch ${forTerminal(s.batch)}`;
  const stopped = `${s.cancelled ? `  cancelled ${s.cancelled}` : ""}${s.paused ? "  (paused)" : ""}`;
  const lines = [
    `${name.padEnd(28)} total ${s.total}  delivered ${s.delivered}  failed ${s.failed}  in flight ${s.active}  waiting ${s.waiting}  scheduled ${s.delayed}${stopped}`,
  ];
  if (s.totalKnown === false) lines.push(`${INDENT} ${TOTAL_UNKNOWN} (${s.total} so far)`);
  const a = s.accounts;
  if (a)
    lines.push(
      `${INDENT} accounts: guests ${a.guests}  created ${a.created}  reset ${a.reset}  existing ${a.existing}  refused ${a.refused}  pending ${a.pending}`,
    );
  return lines.join("\n");
}

/** Work a worker has yet to do: deliveries left, or onboarded guests whose accounts are pending. */
export function hasWorkLeft(s: BatchStatus): boolean {
  return s.waiting + s.delayed + s.active + (s.accounts?.pending ?? 0) > 0;
}

/** `workers      2 connected`, or why nothing moves. */
export function describeWorkers(report: StatusReport): string {
  const label = "workers".padEnd(13);
  if (report.workers > 0) return `${label}${report.workers} connected`;
  return `${label}${hasWorkLeft(report) ? NO_WORKER : "none connected"}`;
}

/** The lines of a plain `status`, or of `status --watch` away from a terminal. */
export function describeReport(report: StatusReport): string {
  const lines = [describeCounts(report), describeWorkers(report)];
  if (report.pause) lines.push(describePause(report.pause));
  return lines.join("\n");
}

/** The line `status --watch` redraws on a terminal: the bar, and what holds it back. */
export function terminalLine(report: StatusReport, perSecond: number, now = Date.now()): string {
  if (report.workers === 0 && hasWorkLeft(report))
    return `${NO_WORKER}  (delivered ${report.delivered}/${report.total}  failed ${report.failed})`;
  const bar = batchProgress(report, perSecond, now);
  return report.pause ? `${bar}  ${pauseNote(report.pause)}` : bar;
}
