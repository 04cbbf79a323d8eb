/**
 * One HTTP request over an undici dispatcher, reporting either the complete reply or the failure
 * together with whether the request had started going out (see classify-network.ts for why).
 */
import type { Dispatcher } from "undici";
import type { TransportFailure } from "./classify-network";

/**
 * Enough for any API answer but a bulk import's (which says how much it needs); beyond it the
 * rest is read and dropped, so an appliance that answers without end costs no more memory.
 */
export const MAX_BODY_BYTES = 64 * 1024;

type IncomingHttpHeaders = Record<string, string | string[] | undefined>;

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export type ExchangeResult = ({ ok: true } & RawReply) | ({ ok: false } & TransportFailure);

export interface ApiRequest {
  /** POST carries a JSON body; GET none. */
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  /** JSON text, for a POST. */
  body?: string;
  /** Longest the exchange may take, from the request going out to the answer's last byte. */
  deadlineMs: number;
  /** The most of the answer kept (default MAX_BODY_BYTES). */
  maxBodyBytes?: number;
}

/**
 * Why an exchange was cut: no complete answer within its deadline. undici's own timeouts count
 * the wait for the headers and each pause between two body chunks apart, so an answer that
 * trickles in (a byte now and then) never trips them and holds its connection for ever.
 */
export class RequestDeadlineError extends Error {
  override name = "RequestDeadlineError";
  readonly code = "ERR_REQUEST_DEADLINE";
  constructor(deadlineMs: number) {
    super(`no complete answer within ${deadlineMs} ms (AXELNAC_REQUEST_TIMEOUT)`);
  }
}

/** Never rejects: a failure is a value, so the caller decides what it means. */
export function exchange(dispatcher: Dispatcher, request: ApiRequest): Promise<ExchangeResult> {
  const limit = request.maxBodyBytes ?? MAX_BODY_BYTES;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let requestSent = false;
    let status: number | undefined;
    let headers: IncomingHttpHeaders = {};
    let deadline: NodeJS.Timeout | undefined;

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(controller) {
        requestSent = true;
        // From here on the appliance may act on the request; aborting destroys the connection,
        // so neither the wait nor the slot at the appliance outlives the deadline.
        deadline = setTimeout(
          () => controller.abort(new RequestDeadlineError(request.deadlineMs)),
          request.deadlineMs,
        );
      },
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(_controller, chunk) {
        if (bytes >= limit) return;
        chunks.push(chunk);
        bytes += chunk.length;
      },
      onResponseEnd() {
        clearTimeout(deadline);
        const text = Buffer.concat(chunks).subarray(0, limit).toString("utf8");
        resolve({ ok: true, status: status ?? 0, headers, text });
      },
      onResponseError(_controller, error) {
        clearTimeout(deadline);
        resolve({
          ok: false,
          error,
          requestSent,
          ...(status !== undefined ? { status } : {}),
        });
      },
    };

    const body = request.body;
    dispatcher.dispatch(
      body === undefined
        ? { path: request.path, method: request.method, headers: request.headers }
        : {
            path: request.path,
            method: request.method,
            headers: { "content-type": "application/json", ...request.headers },
            body,
          },
      handler,
    );
  });
}
