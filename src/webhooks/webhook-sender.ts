import { type Dispatcher, request } from "undici";
import type { WebhookEvent } from "./webhook-event";
import type { WebhookFailureCode } from "./webhook-failure";
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from "./webhook-signature";

/** Longest one POST may take, from connecting to the answer's last byte. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Of the receiver's answer, read before the connection is dropped: nothing in it is used. */
const MAX_ANSWER_BYTES = 64 * 1024;

export type PostResult =
  | { ok: true; status: number }
  | { ok: false; code: WebhookFailureCode; detail: string; status?: number };

export interface WebhookPost {
  url: URL;
  secret: string;
  event: WebhookEvent;
  /** Aborts the POST when the worker abandons its work (shutdown past SHUTDOWN_TIMEOUT). */
  abandoned?: AbortSignal;
  timeoutMs?: number;
  nowSeconds?: number;
}

/**
 * POSTs one event, signed, and says how it went; never throws. 2xx is success; any other answer
 * (a redirect included: none is followed, so a signed body never goes where it was not sent) and
 * any network failure is not. The answer's body is read and dropped.
 */
export async function postWebhook(dispatcher: Dispatcher, post: WebhookPost): Promise<PostResult> {
  const body = JSON.stringify(post.event);
  const timeoutMs = post.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = post.abandoned ? AbortSignal.any([timeout, post.abandoned]) : timeout;
  try {
    const answer = await request(post.url, {
      method: "POST",
      dispatcher,
      signal,
      headers: {
        "content-type": "application/json",
        "user-agent": "axelnac-courier-webhooks",
        "courier-event-id": post.event.id,
        "courier-event-type": post.event.type,
        [WEBHOOK_SIGNATURE_HEADER.toLowerCase()]: signWebhook(post.secret, body, post.nowSeconds),
      },
      body,
    });
    await answer.body.dump({ limit: MAX_ANSWER_BYTES, signal });
    if (answer.statusCode >= 200 && answer.statusCode < 300) {
      return { ok: true, status: answer.statusCode };
    }
    return {
      ok: false,
      code: "WEBHOOK_REFUSED",
      detail: `the receiver answered ${answer.statusCode}`,
      status: answer.statusCode,
    };
  } catch (error) {
    if (timeout.aborted) {
      return {
        ok: false,
        code: "WEBHOOK_TIMEOUT",
        detail: `no complete answer within ${timeoutMs} ms`,
      };
    }
    if (post.abandoned?.aborted) {
      return { ok: false, code: "WEBHOOK_UNREACHABLE", detail: "abandoned as the worker stopped" };
    }
    return { ok: false, code: "WEBHOOK_UNREACHABLE", detail: networkDetail(error) };
  }
}

/** undici's error, by its code and the cause's (ECONNREFUSED…), without the URL's path or query. */
function networkDetail(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  const codes = [e?.code, e?.cause?.code].filter((c): c is string => typeof c === "string");
  return codes.length > 0 ? `no answer (${[...new Set(codes)].join(", ")})` : "no answer";
}
