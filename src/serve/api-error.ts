/**
 * An HTTP API error: its status, a stable code to branch on (the outcome codes of
 * src/outcome/codes.ts, or an API code such as API_KEY_MISSING) and a sentence for people. The API
 * answers every error as `{"error": {"code", "message", "details"?}}`; the message never quotes
 * a password or key.
 */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  toBody(): ApiErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}
