/**
 * Why a POST to a webhook did not succeed: a stable code to grep for (README, "Outcome webhooks"),
 * and the receiver's HTTP status when it answered. Every one is retried until WEBHOOK_ATTEMPTS.
 * Messages never hold the webhook's path or query (which may carry a token), nor its secret.
 */
export type WebhookFailureCode =
  /** The receiver answered, but not 2xx (a redirect included: none is followed). */
  | "WEBHOOK_REFUSED"
  /** No complete answer within the POST's timeout. */
  | "WEBHOOK_TIMEOUT"
  /** No connection, or it broke: DNS, refused, reset, TLS. */
  | "WEBHOOK_UNREACHABLE"
  /** The key's webhook secret does not open with this worker's key ring. */
  | "WEBHOOK_SECRET_UNREADABLE";

/** Thrown by the webhook processor so that BullMQ retries the job with back-off. */
export class WebhookFailedError extends Error {
  override name = "WebhookFailedError";

  constructor(
    readonly code: WebhookFailureCode,
    readonly detail: string,
    readonly status?: number,
  ) {
    // The code first, as every reason the courier writes (src/outcome/failure.ts, failureReason).
    super(`${code}: ${detail}`);
  }
}
