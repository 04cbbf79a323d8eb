import { formatDuration } from "../config/duration";

/**
 * What is left of a batch, for its ETA: deliveries a worker may take now (waiting or in flight),
 * and those that wait for a time of their own (retries waiting out their back-off, `--send-at`).
 */
export interface Remaining {
  ready: number;
  delayed: number;
  /** How long until the earliest delayed delivery is due; undefined when none is delayed. */
  nextDueInMs?: number | undefined;
}

/**
 * A one-line progress bar of what was delivered: `[██████░░░░]  64%  640/1000  120/s ETA 3s`.
 * The ETA counts only the deliveries a worker may take now: while some wait for their time, the
 * rate says nothing of when they will be done, so the bar says when the next is due instead.
 */
export function progressBar(
  done: number,
  total: number,
  ratePerSecond: number,
  remaining: Remaining = { ready: Math.max(0, total - done), delayed: 0 },
  width = 30,
): string {
  const eta =
    remaining.delayed > 0
      ? delayedLeft(remaining.delayed, remaining.nextDueInMs)
      : timeLeft(0, remaining.ready, ratePerSecond);
  return `${shareBar(done, total, width)}  ${done}/${total}  ${Math.round(ratePerSecond)}/s${eta ? ` ${eta}` : ""}`;
}

/** `4 delayed, next due in 25s`: deliveries that wait for a time of their own, and the earliest. */
export function delayedLeft(delayed: number, nextDueInMs: number | undefined): string {
  const next =
    nextDueInMs === undefined
      ? ""
      : nextDueInMs > 0
        ? `, next due in ${formatDuration(nextDueInMs, "remaining")}`
        : ", next due now";
  return `${delayed} delayed${next}`;
}

/** `[██████░░░░]  64%`: how much of `total` is done, as a bar `width` wide and a percentage. */
export function shareBar(done: number, total: number, width: number): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
}

/** `ETA 3s` at the current rate; nothing while the rate is unknown or nothing is left. */
export function timeLeft(done: number, total: number, ratePerSecond: number): string | undefined {
  const known = ratePerSecond > 0 && total > done;
  return known
    ? `ETA ${formatDuration(((total - done) / ratePerSecond) * 1_000, "remaining")}`
    : undefined;
}

/** Moving rate over the last samples, so the ETA follows the current pace rather than the average. */
export class RateMeter {
  #samples: { at: number; value: number }[] = [];

  constructor(readonly windowMs = 10_000) {}

  add(value: number, at = Date.now()): number {
    this.#samples.push({ at, value });
    while (this.#samples.length > 2 && at - (this.#samples[0]?.at ?? at) > this.windowMs)
      this.#samples.shift();
    const first = this.#samples[0];
    if (!first || at === first.at) return 0;
    return ((value - first.value) * 1_000) / (at - first.at);
  }
}
