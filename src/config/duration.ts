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
  const [, amount, unit = "ms"] = match;
  return Math.round(Number(amount) * (UNIT_MS[unit] ?? 1));
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0 && ms > 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
