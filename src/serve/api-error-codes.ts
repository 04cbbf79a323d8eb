import { ApiError } from "./api-error";

/**
 * The HTTP API's own error codes and the status each is answered with, which the table of
 * README, "HTTP API (serve)" explains (a test checks). A failure of the courier itself keeps its
 * outcome code (src/outcome/codes.ts): COURIER_INTERNAL_ERROR, COURIER_REDIS_UNREACHABLE.
 */
export const API_ERROR_STATUS = {
  REQUEST_INVALID: 400,
  API_KEY_MISSING: 401,
  API_KEY_INVALID: 401,
  API_KEY_REVOKED: 401,
  API_KEY_SCOPE: 403,
  NOT_FOUND: 404,
  DELIVERY_NOT_FOUND: 404,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  DELIVERY_INVALID: 422,
  RATE_LIMITED: 429,
  COURIER_INTERNAL_ERROR: 500,
  COURIER_REDIS_UNREACHABLE: 503,
  COURIER_REDIS_REFUSED: 503,
  SERVER_STOPPING: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

/** The error a route or hook throws; the error handler answers it as it is. */
export function apiError(code: ApiErrorCode, message: string, details?: unknown): ApiError {
  return new ApiError(API_ERROR_STATUS[code], code, message, details);
}
