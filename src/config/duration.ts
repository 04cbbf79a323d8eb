/**
 * Durations as operators write them: `500ms`, `30s`, `15m`, `12h`, `1d`, or plain milliseconds.
 * Shared by the environment schema and every command-line flag so both accept the same forms.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;

export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new Error(
      `"${text}" is not a duration: use a number of milliseconds or a number with ms, s, m, h or d (e.g. 500ms, 30s, 15m, 12h)`,
    );
  }
  // Stryker disable next-line StringLiteral: a missing unit falls back to 1 ms per unit below either way
  const [, amount, unit = "ms"] = match;
  return Math.round(Number(amount) * (UNIT_MS[unit] ?? 1));
}

/**
 * How a duration is written, by what it tells:
 * - "setting": exactly, in its largest whole unit, as settings are written: `24h`, `90s`, `1500ms`;
 * - "remaining": what is left (an ETA), rounded up, in two units at most: `45s`, `3m05s`, `2h10m`;
 * - "elapsed": a time taken, to a tenth of a second, in minutes past one: `4.3 s`, `2 min 5 s`;
 * - "seconds": in seconds whatever its length, to the millisecond, as an appliance's Retry-After
 *   counts it: `86400 s`, `1.5 s`.
 */
export type DurationStyle = "setting" | "remaining" | "elapsed" | "seconds";

export function formatDuration(ms: number, style: DurationStyle = "setting"): string {
  switch (style) {
    case "setting":
      return asSetting(ms);
    case "remaining":
      return asRemaining(ms);
    case "elapsed":
      return asElapsed(ms);
    case "seconds":
      return `${Number((ms / 1_000).toFixed(3))} s`;
  }
}

function asSetting(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0 && ms > 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

// Both round first and split after, so a unit never shows its own size ("1m60s", "1 min 60 s").
function asRemaining(ms: number): string {
  const seconds = Math.ceil(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m${twoDigits(seconds % 60)}s`;
  return `${Math.floor(seconds / 3_600)}h${twoDigits(Math.floor((seconds % 3_600) / 60))}m`;
}

function asElapsed(ms: number): string {
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1_000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function twoDigits(value: number): string {
  return String(value).padStart(2, "0");
}
