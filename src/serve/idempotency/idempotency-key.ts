/**
 * The `Idempotency-Key` request header, as draft-ietf-httpapi-idempotency-key-header defines it:
 * a Structured Field Item whose value is a String (RFC 9651, section 3.3.3), `"8e03978e-…"`.
 * Clients that send the key bare, as Stripe's do, are accepted too when the bare text is a token
 * of tchars (and `:` `/`), which a UUID is.
 */

/** Stripe's bound, which the draft's test suites follow too. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export type ParsedIdempotencyKey = { ok: true; key: string } | { ok: false; problem: string };

// sf-token's characters (RFC 9651 section 3.3.4), leniently allowed to start with a digit.
const BARE_KEY = /^[!#$%&'*+\-.^_`|~0-9A-Za-z:/]+$/;

/**
 * The key a header value carries, or what is wrong with it. Node joins repeated header fields
 * with ", ", so two keys read as trailing text after the first string and are refused, as the
 * draft forbids more than one.
 */
export function parseIdempotencyKey(header: string): ParsedIdempotencyKey {
  const text = header.trim();
  const parsed = text.startsWith('"') ? parseSfString(text) : parseBare(text);
  if (!parsed.ok) return parsed;
  if (parsed.key.length === 0) return { ok: false, problem: "is empty" };
  if (parsed.key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return {
      ok: false,
      problem: `is ${parsed.key.length} characters long; at most ${MAX_IDEMPOTENCY_KEY_LENGTH} are allowed`,
    };
  }
  return parsed;
}

function parseBare(text: string): ParsedIdempotencyKey {
  if (text.length === 0) return { ok: false, problem: "is empty" };
  if (BARE_KEY.test(text)) return { ok: true, key: text };
  return {
    ok: false,
    problem:
      'is neither a quoted string ("…", printable ASCII) nor a bare token of letters, digits and !#$%&\'*+-.^_`|~:/',
  };
}

/** RFC 9651's sf-string: printable ASCII between double quotes; `\"` and `\\` the only escapes. */
function parseSfString(text: string): ParsedIdempotencyKey {
  let key = "";
  for (let i = 1; i < text.length; i++) {
    const char = text[i] as string;
    if (char === "\\") {
      const next = text[i + 1];
      if (next !== '"' && next !== "\\") {
        return { ok: false, problem: 'has a backslash that escapes neither " nor \\' };
      }
      key += next;
      i++;
    } else if (char === '"') {
      if (i !== text.length - 1) {
        return { ok: false, problem: "has text after its closing quote (one key per request)" };
      }
      return { ok: true, key };
    } else {
      const code = char.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) {
        return { ok: false, problem: "holds a character other than printable ASCII" };
      }
      key += char;
    }
  }
  return { ok: false, problem: "has no closing quote" };
}
