/** Longest part of a cell a row's rejection quotes: enough to find a phone or an address. */
export const QUOTED_LIMIT = 64;

/**
 * A cell's value in double quotes for a row's rejection, cut after 64 characters. Only phones,
 * addresses and pids are quoted, never a password. Control characters are left as they are: the
 * rejection goes to a rejects file as data, and whatever shows it on a terminal makes it safe
 * there (forTerminal).
 */
export function quoteCell(value: string): string {
  if (value.length <= QUOTED_LIMIT) return `"${value}"`;
  const high = value.charCodeAt(QUOTED_LIMIT - 1);
  const cut = high >= 0xd800 && high <= 0xdbff ? QUOTED_LIMIT - 1 : QUOTED_LIMIT;
  return `"${value.slice(0, cut)}…" (${value.length - cut} more characters)`;
}
