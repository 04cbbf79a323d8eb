import { ApiError } from "../api-error";

/**
 * The API codes of the Idempotency-Key layer (README, "Idempotency-Key"). Messages quote neither
 * the key's record nor the body: they say what to do next.
 */
export function invalidIdempotencyKey(problem: string): ApiError {
  return new ApiError(
    400,
    "IDEMPOTENCY_KEY_INVALID",
    `The Idempotency-Key header ${problem}: send one key of 1 to 255 printable ASCII characters, quoted ("…") or bare`,
  );
}

export function idempotencyKeyReused(): ApiError {
  return new ApiError(
    422,
    "IDEMPOTENCY_KEY_REUSED",
    "This Idempotency-Key was already used with a different request (method, path or body): resend the original request unchanged, or use a new key for a new request",
  );
}

export function idempotentRequestInProgress(): ApiError {
  return new ApiError(
    409,
    "IDEMPOTENCY_REQUEST_IN_PROGRESS",
    "A request with this Idempotency-Key is still being processed: retry shortly to receive its response",
  );
}
