/** Reading what the appliance answered, whatever its Content-Type claims. */

/** Longest appliance text kept in an error or a log line. */
export const MESSAGE_LIMIT = 200;

export interface ReplyBody {
  /** The parsed body when it is JSON, else undefined. */
  json: unknown;
  /** The raw text, already scrubbed of the secrets the request carried. */
  text: string;
}

/**
 * 401/403 bodies may come as text/plain (docs/axelnac-api.md §2), so JSON.parse is tried on every
 * body rather than trusting the header; a body that is not JSON is kept as text for the message.
 */
export function parseBody(text: string): ReplyBody {
  try {
    return { json: JSON.parse(text), text };
  } catch {
    return { json: undefined, text };
  }
}

/** The appliance's `message` field, or the start of a non-JSON body; undefined when empty. */
export function applianceMessage(body: ReplyBody): string | undefined {
  const json = body.json;
  if (isRecord(json) && typeof json.message === "string") return truncate(json.message);
  if (json !== undefined) return undefined;
  // A proxy's HTML page (HAProxy's 504) is read for its words, not its markup.
  const words = /^\s*</.test(body.text) ? body.text.replace(/<[^>]*>/g, " ") : body.text;
  const text = words.replace(/\s+/g, " ").trim();
  return text.length > 0 ? truncate(text) : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Replaces each secret, as is and JSON-escaped, by [redacted], so an appliance (or a proxy) that
 * echoes the request cannot leak it into an error or a log.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    // Stryker disable next-line ConditionalExpression: splitting a text without the secret returns it unchanged; the check only saves the work
    if (clean.includes(secret)) clean = clean.split(secret).join("[redacted]");
    const escaped = JSON.stringify(secret).slice(1, -1);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: when escaping changes nothing, the secret is already gone; the checks only save the work
    if (escaped !== secret && clean.includes(escaped)) {
      clean = clean.split(escaped).join("[redacted]");
    }
  }
  return clean;
}

/** Cuts an appliance's text to MESSAGE_LIMIT characters, marking the cut with "…". */
export function truncate(text: string): string {
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}…` : text;
}
