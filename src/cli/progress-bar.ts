/** A one-line progress bar: `[██████░░░░]  64%  640/1000  120/s  ETA 3s`. */
export function progressBar(
  done: number,
  total: number,
  ratePerSecond: number,
  width = 30,
): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * width);
  const eta =
    ratePerSecond > 0 && total > done
      ? ` ETA ${formatSeconds((total - done) / ratePerSecond)}`
      : "";
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${done}/${total}  ${Math.round(ratePerSecond)}/s${eta}`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3_600)
    return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(seconds / 3_600)}h${String(Math.floor((seconds % 3_600) / 60)).padStart(2, "0")}m`;
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
