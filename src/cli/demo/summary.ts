import type { BatchStatus } from "../../batches/batch-status";
import type { FailedJobView } from "../../batches/failed-jobs";
import { formatDuration } from "../../config/duration";
import { plural } from "../../logging/plural";
import { forTerminal, SENTENCE_LIMIT } from "../../logging/terminal-text";
import { reasonCode } from "../../outcome";

export interface DemoSummary {
  status: BatchStatus;
  failures: FailedJobView[];
  /** Logins the simulator saw; unknown with a real appliance. */
  logins: number | undefined;
  workers: number;
  /** From the first job enqueued until nothing was left to deliver. */
  deliveryMs: number;
  /** The whole demo, setting up included. */
  elapsedMs: number;
}

const CODES_SHOWN = 5;

export function formatSummary(s: DemoSummary): string {
  const { status } = s;
  const seconds = s.deliveryMs / 1_000;
  const rate = seconds > 0 ? status.delivered / seconds : 0;
  const lines = [
    "summary",
    `  delivered   ${status.delivered} of ${status.total}`,
    `  failed      ${status.failed}`,
    ...failureLines(s.failures),
  ];
  if (status.waiting + status.delayed + status.active > 0) {
    lines.push(`  unfinished  ${status.waiting + status.delayed + status.active} (stopped early)`);
  }
  if (s.logins !== undefined) {
    lines.push(
      `  logins      ${s.logins} (one API token shared by ${plural(s.workers, "worker")})`,
    );
  }
  lines.push(
    `  elapsed     ${formatDuration(s.elapsedMs, "elapsed")} in all; deliveries took ${formatDuration(s.deliveryMs, "elapsed")}`,
    `  rate        ${Math.round(rate)} deliveries/s`,
  );
  return `${lines.join("\n")}\n`;
}

/**
 * Failures grouped by outcome code (the reason names the guest, so reasons rarely repeat), most
 * frequent first, each with one reason in full. Reasons never quote a password.
 */
function failureLines(failures: FailedJobView[]): string[] {
  const byCode = new Map<string, FailedJobView[]>();
  for (const failure of failures) {
    // BullMQ's own reasons (a job that stalled too often) carry no code of ours.
    const code = reasonCode(failure.reason) ?? "BULLMQ";
    const group = byCode.get(code);
    if (group) group.push(failure);
    else byCode.set(code, [failure]);
  }
  const groups = [...byCode].sort((a, b) => b[1].length - a[1].length);
  const lines = groups.slice(0, CODES_SHOWN).map(([code, jobs]) => {
    const reason = jobs[0]?.reason ?? "";
    const example = reason.startsWith(`${code}: `) ? reason.slice(code.length + 2) : reason;
    return `    ${String(jobs.length).padStart(6)} × ${forTerminal(code)}, e.g. ${forTerminal(example, SENTENCE_LIMIT)}`;
  });
  if (groups.length > CODES_SHOWN)
    lines.push(`    and ${plural(groups.length - CODES_SHOWN, "other kind")}`);
  return lines;
}
