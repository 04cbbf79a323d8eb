/**
 * The login body decoded as PacketFence's Go handler decodes it (docs/axelnac-api.md §1):
 * `json.NewDecoder(body).Decode(&struct{ Username, Password string })`. So, as in Go:
 * - the first JSON value is read and whatever follows it is ignored;
 * - `null` decodes to empty credentials;
 * - a key matches a field case-insensitively; unknown keys are ignored
 *   and a repeated key's last value wins;
 * - anything else is an error whose text is Go's (the handler answers it 400 in plain text).
 */

export type LoginBody =
  | { ok: true; username: string; password: string }
  | { ok: false; message: string };

const TARGET_TYPE = "struct { Username string; Password string }";
const FIELDS = ["Username", "Password"] as const;

export function decodeLoginBody(text: string): LoginBody {
  // JSON's whitespace only: a byte-order mark or a no-break space is a character Go refuses.
  const start = text.search(/[^ \t\n\r]/);
  if (start < 0) return { ok: false, message: "EOF" };
  const value = firstValue(text, start);
  if (value === undefined) return { ok: false, message: syntaxMessage(text, start) };
  if (value === null) return { ok: true, username: "", password: "" };
  if (typeof value !== "object" || Array.isArray(value)) {
    return {
      ok: false,
      message: `json: cannot unmarshal ${goKind(value)} into Go value of type ${TARGET_TYPE}`,
    };
  }
  const fields: Record<(typeof FIELDS)[number], string> = { Username: "", Password: "" };
  let firstError: string | undefined;
  for (const [key, given] of Object.entries(value as Record<string, unknown>)) {
    // Go prefers an exact match, then a case-insensitive one; the two fields never fold together,
    // so the case-insensitive match alone finds the same field.
    const field = FIELDS.find((name) => sameFold(name, key));
    if (field === undefined || given === null) continue;
    if (typeof given === "string") {
      fields[field] = given;
      continue;
    }
    // Go goes on decoding after a type error and reports the first one.
    firstError ??= `json: cannot unmarshal ${goKind(given)} into Go struct field .${field} of type string`;
  }
  if (firstError !== undefined) return { ok: false, message: firstError };
  return { ok: true, username: fields.Username, password: fields.Password };
}

/** How Go's decoder names a JSON value's kind in its errors. */
function goKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "string") return "string";
  return "object";
}

function sameFold(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * The first JSON value of `text` from `start`, or undefined when it is not valid JSON. An object
 * or array ends at its matching bracket, found by a scan that skips strings; a scalar must be
 * the whole remaining text (a scalar is refused whatever follows it, so the difference is moot).
 */
function firstValue(text: string, start: number): unknown {
  const end = closingBracket(text, start);
  try {
    // Stryker disable next-line MethodExpression: what precedes `start` is JSON whitespace, which JSON.parse skips too
    return JSON.parse(end === undefined ? text.slice(start) : text.slice(start, end + 1));
    // Stryker disable next-line BlockStatement: the function ends here, so an empty catch returns undefined too
  } catch {
    return undefined;
  }
}

function closingBracket(text: string, start: number): number | undefined {
  const open = text[start];
  // Stryker disable next-line ConditionalExpression: a scalar holds no bracket outside its quotes, so the scan finds no end either
  if (open !== "{" && open !== "[") return undefined;
  let depth = 0;
  let inString = false;
  // Stryker disable next-line EqualityOperator: text[text.length] is undefined, which no branch matches
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === "{" || c === "[") {
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return undefined;
}

/**
 * Go's message for the commonest syntax errors: a body cut short, or a character no JSON value
 * starts with. Other malformed bodies get Go's wording for an unexpected character, without the
 * exact context Go's scanner would name.
 */
function syntaxMessage(text: string, start: number): string {
  const first = text[start] as string;
  if (!/[[{"\-0-9tfn]/.test(first)) {
    return `invalid character ${quoteChar(first)} looking for beginning of value`;
  }
  if ((first === "{" || first === "[") && closingBracket(text, start) === undefined) {
    return "unexpected EOF";
  }
  return "invalid character in JSON value";
}

/** Go names the offending byte: for a character outside ASCII, its first UTF-8 byte as Latin-1. */
function quoteChar(c: string): string {
  const byte = String.fromCharCode(Buffer.from(c, "utf8")[0] as number);
  return byte === "'" ? "'\\''" : `'${byte}'`;
}
