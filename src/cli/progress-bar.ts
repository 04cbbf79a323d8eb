import { formatDuration } from "../config/duration";

/** A one-line progress bar: `[██████░░░░]  64%  640/1000  120/s ETA 3s`. */
export function progressBar(
  done: number,
  total: number,
  ratePerSecond: number,
  width = 30,
): string {
  const eta = timeLeft(done, total, ratePerSecond);
  return `${shareBar(done, total, width)}  ${done}/${total}  ${Math.round(ratePerSecond)}/s${eta ? ` ${eta}` : ""}`;
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
