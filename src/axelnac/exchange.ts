/**
 * One HTTP request over an undici dispatcher, reporting either the complete reply or the failure
 * together with whether the request had started going out (see classify-network.ts for why).
 */
import type { Dispatcher } from "undici";
import type { TransportFailure } from "./classify-network";

/** Enough for any API answer; beyond it the rest is read and dropped. */
const MAX_BODY_BYTES = 64 * 1024;

type IncomingHttpHeaders = Record<string, string | string[] | undefined>;

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export type ExchangeResult = ({ ok: true } & RawReply) | ({ ok: false } & TransportFailure);

export interface PostRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Never rejects: a failure is a value, so the caller decides what it means. */
export function postJson(dispatcher: Dispatcher, request: PostRequest): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let requestSent = false;
    let status: number | undefined;
    let headers: IncomingHttpHeaders = {};

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart() {
        requestSent = true;
      },
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(_controller, chunk) {
        if (bytes >= MAX_BODY_BYTES) return;
        chunks.push(chunk);
        bytes += chunk.length;
      },
      onResponseEnd() {
        const text = Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString("utf8");
        resolve({ ok: true, status: status ?? 0, headers, text });
      },
      onResponseError(_controller, error) {
        resolve({
          ok: false,
          error,
          requestSent,
          ...(status !== undefined ? { status } : {}),
        });
      },
    };

    dispatcher.dispatch(
      {
        path: request.path,
        method: "POST",
        headers: { "content-type": "application/json", ...request.headers },
        body: request.body,
      },
      handler,
    );
  });
}
