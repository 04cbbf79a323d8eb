import type { CsvDelimiter } from "./options";

/** Tried in this order, so a tie goes to the comma. */
const CANDIDATES: readonly CsvDelimiter[] = [",", ";", "\t"];
/** A header line longer than this is judged on its first part rather than buffered whole. */
export const DETECTION_LIMIT = 64 * 1024;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Picks the delimiter that splits the first non-empty line into the most columns, counting only
 * delimiters outside double quotes. Returns undefined while `text` does not yet hold that whole
 * line and more text may come (`final` false, `text` shorter than DETECTION_LIMIT).
 */
export function detectDelimiter(text: string, final: true): CsvDelimiter;
export function detectDelimiter(text: string, final: boolean): CsvDelimiter | undefined;
export function detectDelimiter(text: string, final: boolean): CsvDelimiter | undefined {
  let counts = [0, 0, 0];
  let inQuotes = false;
  let hasContent = false;
  // Stryker disable next-line EqualityOperator: one step past the end reads no character and counts nothing
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) inQuotes = !inQuotes;
    if (!inQuotes && (c === LF || c === CR)) {
      if (hasContent) return mostColumns(counts);
      counts = [0, 0, 0];
      continue;
    }
    if (c > 0x20) hasContent = true;
    const candidate = inQuotes ? -1 : CANDIDATES.indexOf(text[i] as CsvDelimiter);
    if (candidate >= 0) {
      counts[candidate] = (counts[candidate] as number) + 1;
      hasContent = true;
    }
  }
  return final || text.length >= DETECTION_LIMIT ? mostColumns(counts) : undefined;
}

function mostColumns(counts: number[]): CsvDelimiter {
  let best = 0;
  // Stryker disable next-line EqualityOperator: one step past the end compares undefined, which is never more
  for (let i = 1; i < counts.length; i++) {
    if ((counts[i] as number) > (counts[best] as number)) best = i;
  }
  return CANDIDATES[best] as CsvDelimiter;
}
