/** How much of the file's start is looked at: the header's first characters are enough. */
export const UTF16_SNIFF_LENGTH = 64;

/**
 * Whether the file's first bytes look like UTF-16 without a byte order mark, and which byte
 * order. Text in a CSV file holds no NUL byte in UTF-8 or a legacy code page, but in UTF-16 every
 * ASCII character (the header's "pid" at least) has one: the second byte of each pair in
 * little-endian, the first in big-endian. Two NULs or more, all on the same side, decide; a
 * header of non-Latin letters only has none to go by.
 */
export function guessUtf16(head: Uint8Array): "utf-16le" | "utf-16be" | null {
  const length = Math.min(head.length, UTF16_SNIFF_LENGTH);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < length; i++) {
    if (head[i] !== 0) continue;
    if (i % 2 === 0) even++;
    else odd++;
  }
  if (even + odd < 2 || (even > 0 && odd > 0)) return null;
  return odd > 0 ? "utf-16le" : "utf-16be";
}
