/**
 * Counts file lines the way the tokenizer does: CRLF, LF and a lone CR each end one line. The
 * decoder uses it to say on which line undecodable bytes sit, so it sees every character of the
 * file: it counts with indexOf rather than a loop over characters.
 */
export class LineCounter {
  line = 1;
  /** The text fed so far ends with a CR: an LF next completes that line break. */
  #afterCR = false;

  feed(text: string): void {
    if (text.length === 0) return;
    let breaks = count(text, "\n") + count(text, "\r") - count(text, "\r\n");
    if (this.#afterCR && text.charCodeAt(0) === 0x0a) breaks--;
    this.line += breaks;
    this.#afterCR = text.charCodeAt(text.length - 1) === 0x0d;
  }

  /** The line `text` would end on, without moving this counter. */
  lineAfter(text: string): number {
    const probe = new LineCounter();
    probe.line = this.line;
    probe.#afterCR = this.#afterCR;
    probe.feed(text);
    return probe.line;
  }
}

function count(text: string, search: string): number {
  let found = 0;
  for (let at = text.indexOf(search); at >= 0; at = text.indexOf(search, at + search.length)) {
    found++;
  }
  return found;
}
