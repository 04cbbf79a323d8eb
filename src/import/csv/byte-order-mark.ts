/** What a byte order mark at the start of the file says, and how many bytes it takes. */
export interface ByteOrderMark {
  encoding: string;
  length: number;
}

/**
 * Looks for a UTF-8 or UTF-16 byte order mark. Like the WHATWG "decode" algorithm (what browsers
 * do), a mark wins over the encoding the user gave: an Excel "CSV UTF-8" export read with
 * --encoding windows-1251 by habit still decodes right instead of turning every name to mojibake.
 * Returns "more" while `head` is too short to tell and more bytes may come.
 */
export function sniffByteOrderMark(
  head: Uint8Array,
  final: boolean,
): ByteOrderMark | null | "more" {
  const [b0, b1, b2] = head;
  if (b0 === 0xef) {
    if (b1 === undefined || (b1 === 0xbb && b2 === undefined)) return final ? null : "more";
    return b1 === 0xbb && b2 === 0xbf ? { encoding: "utf-8", length: 3 } : null;
  }
  if (b0 === 0xff || b0 === 0xfe) {
    if (b1 === undefined) return final ? null : "more";
    if (b0 === 0xff && b1 === 0xfe) return { encoding: "utf-16le", length: 2 };
    if (b0 === 0xfe && b1 === 0xff) return { encoding: "utf-16be", length: 2 };
  }
  if (b0 === undefined && !final) return "more";
  return null;
}
