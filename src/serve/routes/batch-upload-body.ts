import type { Readable } from "node:stream";
import { MIMEType } from "node:util";
import type { FastifyInstance } from "fastify";
import { InputChangedError } from "../../import/csv";
import { ApiError } from "../api-error";

/**
 * The largest registration CSV a POST /v1/batches takes by default, in bytes: about 1.5 million
 * rows of a typical export. The body is streamed into the queue, so the limit bounds a request's
 * duration, not the server's memory (a field over 64 KiB or a row over 1 MiB is a bad row, as in
 * `import`).
 */
export const UPLOAD_LIMIT_BYTES = 100 * 1024 * 1024;

/**
 * Hands a `text/csv` body to the route as the request's own stream, unread: the import reads it
 * as it arrives. A Content-Length over the limit is refused before a byte is read.
 */
export function acceptCsvBodies(app: FastifyInstance, limitBytes: number): void {
  app.addContentTypeParser("text/csv", (request, payload, done) => {
    if (Number(request.headers["content-length"]) > limitBytes) {
      done(tooLarge(limitBytes), undefined);
      return;
    }
    done(null, payload);
  });
}

export function tooLarge(limitBytes: number, details?: unknown): ApiError {
  return new ApiError(
    413,
    "API_UPLOAD_TOO_LARGE",
    `the file is larger than the limit of ${limitBytes} bytes: upload it in parts ` +
      "(rows enqueued already are skipped as duplicates when uploaded again)",
    details,
  );
}

/** The charset a Content-Type names (`text/csv; charset=windows-1251`), if any. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  try {
    return new MIMEType(contentType).params.get("charset") ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * A request body read as the import reads a file: counted against the limit, and never destroyed
 * when the reader stops early (that would close the connection the answer goes out on). A body
 * past the limit, or cut short by the client, ends as a file that changed while it was read: the
 * reader stops at the row it had reached, and the rows before it are whole.
 */
export class UploadBody {
  bytesRead = 0;
  /** The body went past the limit: the rest was not read. */
  overLimit = false;

  constructor(
    private readonly stream: Readable,
    readonly limitBytes: number,
  ) {}

  async *chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of this.stream.iterator({ destroyOnReturn: false })) {
        const within = this.limitBytes - this.bytesRead;
        this.bytesRead += (chunk as Buffer).length;
        if (this.bytesRead > this.limitBytes) {
          this.overLimit = true;
          // A body that arrived before the route read it comes as one large chunk: its bytes
          // within the limit are still imported (and counted in the 413), not dropped with it.
          if (within > 0) yield (chunk as Buffer).subarray(0, within);
          throw new InputChangedError(
            `the upload is larger than the limit of ${this.limitBytes} bytes: the rest was not read`,
          );
        }
        yield chunk as Buffer;
      }
    } catch (error) {
      if (error instanceof InputChangedError) throw error;
      throw new InputChangedError(
        `the upload was cut short (${(error as Error).message}): the rest was not received`,
      );
    }
  }

  /** The whole body arrived: an answer may keep the connection open. */
  get complete(): boolean {
    return this.stream.readableEnded;
  }
}
