/*
 * Counts in what the courier says: "1 row", "2 rows", "0 rows". English has two forms, and
 * Intl.PluralRules knows which a number takes. One helper for every message, so that none says
 * "1 rows" again.
 */

const ENGLISH = new Intl.PluralRules("en");

/** The noun's form for `count`: `one` for 1, `many` (default: `one` + "s") otherwise. */
export function pluralWord(count: number, one: string, many = `${one}s`): string {
  return ENGLISH.select(count) === "one" ? one : many;
}

/** `1 row`, `3 rows`; `shown` writes the number (a grouping format, say), plain by default. */
export function plural(
  count: number,
  one: string,
  many = `${one}s`,
  shown: (count: number) => string = String,
): string {
  return `${shown(count)} ${pluralWord(count, one, many)}`;
}
