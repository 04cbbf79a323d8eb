import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";

/**
 * Mojolicious' default `max_message_size` (16 MiB), under which PacketFence's Perl API reads a
 * request: a users/bulk_import of hundreds of guests fits, a bigger body gets a clear 413.
 */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
  readonly code = "SIMULATOR_BODY_TOO_LARGE";
}

/** The whole request body as UTF-8; rejects if the client goes away before sending it all. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.once("end", () => {
      if (size > limit) reject(new BodyTooLargeError(`request body over ${limit} bytes`));
      else resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.once("error", reject);
    req.once("close", () => {
      if (!req.complete) reject(new Error("client closed the connection before the body ended"));
    });
  });
}

export type JsonParse = { ok: true; value: unknown } | { ok: false };

/**
 * JSON.parse without its error message: V8's message quotes the input, which here holds
 * passwords, and nothing from a request body may reach an answer or a log line.
 */
export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** False once the client is gone or an answer was already written. */
export function canAnswer(res: ServerResponse): boolean {
  return !res.destroyed && !res.headersSent;
}

export function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  writeBody(res, status, JSON.stringify(body), "application/json", headers);
}

export function writeText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: OutgoingHttpHeaders = {},
): void {
  writeBody(res, status, text, "text/plain; charset=utf-8", headers);
}

/**
 * Writes the status line and headers at once, then the JSON body one byte every `intervalMs`,
 * until all of it is out or the client is gone.
 */
export function trickleJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  intervalMs: number,
): void {
  if (!canAnswer(res)) return;
  const bytes = Buffer.from(JSON.stringify(body), "utf8");
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": bytes.length });
  res.flushHeaders();
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return;
    res.write(bytes.subarray(sent, sent + 1));
    sent++;
    if (sent < bytes.length) return;
    clearInterval(timer);
    res.end();
  }, intervalMs);
  res.once("close", () => clearInterval(timer));
}

export function writeBody(
  res: ServerResponse,
  status: number,
  text: string,
  contentType: string,
  headers: OutgoingHttpHeaders,
): void {
  if (!canAnswer(res)) return;
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
