import type { IncomingHttpHeaders } from "node:http";

/**
 * Whether a request's fingerprint can be known before its handler acts: its body is JSON, which
 * Fastify reads whole before the preHandler hooks, or there is no body. Other bodies (the batch
 * upload's CSV) reach their handler as a stream that it reads as it works, so their last byte,
 * and with it the fingerprint, comes only after the work is done: too late to refuse a different
 * body under the same key. Those requests are served without the Idempotency-Key layer.
 */
export function bodyIsFingerprintable(headers: IncomingHttpHeaders): boolean {
  const contentType = headers["content-type"];
  if (contentType === undefined) return !hasBody(headers);
  const mediaType = (contentType.split(";")[0] as string).trim().toLowerCase();
  return mediaType === "application/json" || /^application\/[^/\s]+\+json$/.test(mediaType);
}

/** Fastify's own test: no Transfer-Encoding and a Content-Length absent or 0. */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers["transfer-encoding"] !== undefined) return true;
  const length = headers["content-length"];
  return length !== undefined && length !== "0";
}
