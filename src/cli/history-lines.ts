import type { DeliveryRecord } from "../history/delivery-record";
import { forTerminal, SENTENCE_LIMIT } from "../logging/terminal-text";

/**
 * One delivery on one line, every text from a job or the appliance made safe for a terminal:
 * `2026-12-03 14:05:07  failed  pid ghost-1  reference REG-3  batch expo  attempts 3
 * AXELNAC_GUEST_NOT_FOUND  send_user_credentials … rejected: 404 …  appliance 404 …  job expo~…`.
 * When and what first, as an operator scans; the job id (for `history --job`) ends it.
 */
export function describeRecord(record: DeliveryRecord): string {
  const parts = [
    localTime(new Date(record.finishedAt)),
    record.outcome,
    `pid ${record.pid === "" ? "?" : forTerminal(record.pid)}`,
    `reference ${record.reference === undefined ? "-" : forTerminal(record.reference)}`,
    `batch ${record.batchId === undefined ? "-" : forTerminal(record.batchId)}`,
    `attempts ${record.attempts}`,
  ];
  if (record.code !== undefined) parts.push(forTerminal(record.code));
  if (record.message !== undefined) parts.push(forTerminal(record.message, SENTENCE_LIMIT));
  if (record.applianceStatus !== undefined || record.applianceMessage !== undefined) {
    const said = [record.applianceStatus, record.applianceMessage].filter((x) => x !== undefined);
    parts.push(`appliance ${forTerminal(said.join(" "), SENTENCE_LIMIT)}`);
  }
  if (record.submittedBy !== undefined) parts.push(`by key ${forTerminal(record.submittedBy)}`);
  parts.push(`job ${forTerminal(record.jobId)}`);
  return parts.join("  ");
}

/** `2026-12-03 14:05:07` in the local time zone: ISO 8601's order, to the second. */
export function localTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}
