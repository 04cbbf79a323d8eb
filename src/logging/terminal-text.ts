/*
 * The one place that makes untrusted text (a pid, a reference, a failure reason, an appliance's
 * message, a value read from a file) safe to show on a terminal or in a pretty log line. A job's
 * data comes from any producer and an appliance's answer from anyone on the path: raw, an ESC
 * starts a sequence that rewrites the screen or the window title, a carriage return or a newline
 * forges a line, a bidi control shows text in an order other than its own.
 */

/** Longest untrusted field shown whole; the rest is counted, not shown. */
export const FIELD_LIMIT = 200;

/**
 * Longest sentence of ours that quotes untrusted parts, each already capped (a failure reason,
 * a log message): long enough for a code, an appliance's 200 characters and what we add.
 */
export const SENTENCE_LIMIT = 1_000;

/**
 * Characters replaced by a visible escape: C0 controls (newline and tab included), DEL and C1
 * controls, the line and paragraph separators, and the bidi controls (marks, embeddings,
 * overrides, isolates). Printable characters, a backslash included, are left as they are: pids
 * may hold one (`DOMAIN\guest`), and doubling it would show a pid that is not the guest's.
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The escapes a reader knows by sight; the others are written by code point. */
const SHORT_ESCAPES: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** `\x1b` for a control under U+0100, `\u202e` above, `\n` `\r` `\t` as such. */
function visibleEscape(character: string): string {
  const short = SHORT_ESCAPES[character];
  if (short !== undefined) return short;
  const code = character.charCodeAt(0);
  const hex = code.toString(16);
  // Stryker disable next-line EqualityOperator: U+0100 is no control; the unsafe characters are below it or from U+061C on
  return code < 0x100 ? `\\x${hex.padStart(2, "0")}` : `\\u${hex.padStart(4, "0")}`;
}

/** The text with every control character replaced by its visible escape; no length limit. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, visibleEscape);
}

/**
 * Untrusted text as a terminal or a pretty log line shows it: its first `limit` characters,
 * controls escaped, then `…(N more)` when it is longer. A pair of UTF-16 surrogates is never
 * split: the limit falls before it.
 */
export function forTerminal(text: string, limit: number = FIELD_LIMIT): string {
  if (text.length <= limit) return escapeControls(text);
  const cut = isHighSurrogate(text.charCodeAt(limit - 1)) ? limit - 1 : limit;
  return `${escapeControls(text.slice(0, cut))}…(${text.length - cut} more)`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * JSON for a command's output: every value whole and exact, as a script parses it, but no
 * control character raw, so the same output printed on a terminal is safe too.
 */
export function jsonForTerminal(value: unknown): string {
  // JSON.stringify escapes the controls under U+0020 only. The others are outside ASCII, so they
  // only ever occur inside a JSON string, where `\uXXXX` means the same character.
  return JSON.stringify(value).replace(
    UNSAFE,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * A parsed log record (JSON) with every string in it, keys included, made safe by `forTerminal`,
 * at any depth. A stack keeps its line breaks (they are the stack's own) and has each line made
 * safe: a forged line inside an error's message still cannot hold an escape sequence.
 */
export function forTerminalDeep(value: unknown, limit: number = FIELD_LIMIT): unknown {
  if (typeof value === "string") return forTerminal(value, limit);
  if (Array.isArray(value)) return value.map((item) => forTerminalDeep(item, limit));
  if (typeof value !== "object" || value === null) return value;
  const safe: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    safe[forTerminal(key, limit)] =
      key === "stack" && typeof item === "string"
        ? item
            .split("\n")
            .map((line) => forTerminal(line, limit))
            .join("\n")
        : forTerminalDeep(item, limit);
  }
  return safe;
}
