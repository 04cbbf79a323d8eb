/** How long a 429 asks us to wait when its Retry-After is absent or unreadable. */
export const DEFAULT_RETRY_AFTER_MS = 1_000;

/**
 * Retry-After in milliseconds: delay-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00
 * GMT", counted from `now`, never negative). Anything else falls back to one second.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return DEFAULT_RETRY_AFTER_MS;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Date.parse reads bare numbers and other oddities as dates; an HTTP date always names a weekday
  // or month, so require letters.
  if (!/[a-z]/i.test(text)) return DEFAULT_RETRY_AFTER_MS;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return DEFAULT_RETRY_AFTER_MS;
  return Math.max(0, at - now);
}
