import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * How a receiver knows an outcome webhook came from the courier, unaltered and recently, as Stripe
 * signs its webhooks: the header `Courier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where
 * the HMAC is keyed by the webhook secret (its UTF-8 bytes) over `"<t>.<raw body>"`. Pure: no
 * clock but the one passed in. The README ("Outcome webhooks") gives the same check in plain Node.
 */
export const WEBHOOK_SIGNATURE_HEADER = "Courier-Signature";

/** How old (or how far ahead) a signature's timestamp may be: five minutes, as Stripe's default. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

function hmacHex(secret: string, timestamp: number, rawBody: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${timestamp}.`, "utf8").update(rawBody).digest("hex");
}

/** The header's value for `rawBody` (exactly the bytes POSTed), signed at `nowSeconds`. */
export function signWebhook(
  secret: string,
  rawBody: string | Uint8Array,
  nowSeconds = Math.floor(Date.now() / 1_000),
): string {
  return `t=${nowSeconds},v1=${hmacHex(secret, nowSeconds, rawBody)}`;
}

export type WebhookSignatureCheck =
  | { ok: true; timestamp: number }
  /**
   * `malformed`: not `t=<seconds>,v1=<hex>`; `stale`: the timestamp is outside the tolerance (a
   * replay of an old request); `mismatch`: no v1 signature matches (another secret, or the body
   * was altered).
   */
  | { ok: false; problem: "malformed" | "stale" | "mismatch"; reason: string };

/**
 * Checks a `Courier-Signature` header against the raw body as received (before any JSON parse).
 * Several `v1=` entries are allowed (any one may match), and unknown schemes are ignored, so that
 * the header may grow. Compares in constant time.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  rawBody: string | Uint8Array,
  toleranceSeconds = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
  nowSeconds = Math.floor(Date.now() / 1_000),
): WebhookSignatureCheck {
  const parsed = parseSignatureHeader(header ?? "");
  if (!parsed) {
    return {
      ok: false,
      problem: "malformed",
      reason: `the ${WEBHOOK_SIGNATURE_HEADER} header is not "t=<unix seconds>,v1=<hex HMAC-SHA256>"`,
    };
  }
  const { timestamp, signatures } = parsed;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return {
      ok: false,
      problem: "stale",
      reason: `the signature's timestamp is ${nowSeconds - timestamp} s away from now, beyond the ${toleranceSeconds} s tolerance`,
    };
  }
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), "hex");
  const matches = signatures.some((hex) => {
    const given = Buffer.from(hex, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) {
    return {
      ok: false,
      problem: "mismatch",
      reason: "no v1 signature matches the body with this secret",
    };
  }
  return { ok: true, timestamp };
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

function parseSignatureHeader(
  header: string,
): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    if (at < 0) return undefined;
    const [name, value] = [part.slice(0, at).trim(), part.slice(at + 1).trim()];
    if (name === "t") {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
      timestamp = Number(value);
    } else if (name === "v1") {
      if (!HEX_SHA256.test(value)) return undefined;
      signatures.push(value);
    }
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}
