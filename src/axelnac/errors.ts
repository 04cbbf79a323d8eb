/**
 * What went wrong talking to AxelNAC, in the style of undici's errors: one base class, one tiny
 * subclass per outcome, each with a stable code a user can grep for and a failure class that tells
 * the worker what to do next (the outcome contract, src/outcome/).
 */
import type { Failure, FailureClass, OutcomeCode } from "../outcome";

export type { FailureClass } from "../outcome";

export type AxelnacOperation = "login" | "token_info" | "send" | "user" | "bulk_import";

export interface AxelnacErrorDetails {
  operation: AxelnacOperation;
  /** The guest's user name, on send. */
  pid?: string;
  status?: number;
  applianceMessage?: string;
  retryAfterMs?: number;
  /** A sanitised copy of the network error (name, code, message only): see `safeCause`. */
  cause?: Error;
}

export abstract class AxelnacError extends Error implements Failure {
  readonly code: OutcomeCode;
  readonly failureClass: FailureClass;
  readonly operation: AxelnacOperation;
  // `declare`: absent rather than present-and-undefined when there is nothing to say.
  declare readonly pid?: string;
  /** HTTP status when there was a response. */
  declare readonly status?: number;
  /** The appliance's `message`, kept for people; scrubbed of the password and token sent. */
  declare readonly applianceMessage?: string;
  /** For throttled: how long the appliance asked us to wait. */
  declare readonly retryAfterMs?: number;

  protected constructor(
    code: OutcomeCode,
    failureClass: FailureClass,
    summary: string,
    details: AxelnacErrorDetails,
  ) {
    super(`${summary} (${code})`, details.cause ? { cause: details.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.failureClass = failureClass;
    this.operation = details.operation;
    if (details.pid !== undefined) this.pid = details.pid;
    if (details.status !== undefined) this.status = details.status;
    if (details.applianceMessage !== undefined) this.applianceMessage = details.applianceMessage;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/** 401 on send: the token died (idle, past its maximum lifetime, revoked). Log in again. */
export class TokenRejectedError extends AxelnacError {
  static readonly code = "AXELNAC_TOKEN_REJECTED";
  constructor(summary: string, details: AxelnacErrorDetails) {
    super(TokenRejectedError.code, "token_rejected", summary, details);
  }
}

/** Login refused: the API credentials are wrong (or the login request itself is refused). */
export class LoginRejectedError extends AxelnacError {
  static readonly code = "AXELNAC_LOGIN_REJECTED";
  constructor(summary: string, details: AxelnacErrorDetails) {
    super(LoginRejectedError.code, "systemic", summary, details);
  }
}

/** 403: the API user lacks the administrative role for the endpoint. */
export class AccessDeniedError extends AxelnacError {
  static readonly code = "AXELNAC_ACCESS_DENIED";
  constructor(summary: string, details: AxelnacErrorDetails) {
    super(AccessDeniedError.code, "systemic", summary, details);
  }
}

/** 404 "Unknown path": the appliance has no such endpoint, so every job would fail. */
export class EndpointMissingError extends AxelnacError {
  static readonly code = "AXELNAC_ENDPOINT_MISSING";
  constructor(summary: string, details: AxelnacErrorDetails) {
    super(EndpointMissingError.code, "systemic", summary, details);
  }
}

export type RequestRejectedCode = "AXELNAC_GUEST_NOT_FOUND" | "AXELNAC_INVALID_REQUEST";

/** 400/404/422/other 4xx on send: this job's request can never succeed. The code says which. */
export class RequestRejectedError extends AxelnacError {
  /** The family's name; an instance's code says which member it is. */
  static readonly code = "AXELNAC_REQUEST_REJECTED";
  declare readonly code: RequestRejectedCode;
  constructor(code: RequestRejectedCode, summary: string, details: AxelnacErrorDetails) {
    super(code, "permanent", summary, details);
  }
}

/** 429: wait `retryAfterMs` before the next request. */
export class ThrottledError extends AxelnacError {
  static readonly code = "AXELNAC_THROTTLED";
  declare readonly retryAfterMs: number;
  constructor(summary: string, details: AxelnacErrorDetails & { retryAfterMs: number }) {
    super(ThrottledError.code, "throttled", summary, details);
  }
}

export type ProviderFailedCode = "AXELNAC_SMS_PROVIDER_FAILED" | "AXELNAC_SERVER_ERROR";

/** 500 (the SMS provider failed, nothing was sent) or another 5xx the appliance itself raised. */
export class ProviderFailedError extends AxelnacError {
  /** The most common member; an instance's code says which member it is. */
  static readonly code = "AXELNAC_SMS_PROVIDER_FAILED";
  declare readonly code: ProviderFailedCode;
  constructor(code: ProviderFailedCode, summary: string, details: AxelnacErrorDetails) {
    super(code, "retryable", summary, details);
  }
}

/** 502/503/504, or the request never reached the appliance (refused, DNS, connect timeout). */
export class ApplianceUnreachableError extends AxelnacError {
  static readonly code = "AXELNAC_UNREACHABLE";
  constructor(summary: string, details: AxelnacErrorDetails) {
    super(ApplianceUnreachableError.code, "unreachable", summary, details);
  }
}

/** The appliance's certificate failed verification: a misconfiguration retrying will not fix. */
export class TlsUntrustedError extends AxelnacError {
  static readonly code = "AXELNAC_TLS_UNTRUSTED";
  constructor(summary: string, details: AxelnacErrorDetails) {
    super(TlsUntrustedError.code, "systemic", summary, details);
  }
}

/** The send request went out but no answer came back: the SMS may have been sent. */
export class AmbiguousOutcomeError extends AxelnacError {
  static readonly code = "AXELNAC_OUTCOME_UNKNOWN";
  constructor(summary: string, details: AxelnacErrorDetails) {
    super(AmbiguousOutcomeError.code, "ambiguous", summary, details);
  }
}

/**
 * Something other than the AxelNAC API answered, and will answer every job the same way: a 2xx
 * whose body is not the API's JSON (a web page, an empty body from a proxy or a wrong port), or a
 * redirect. Never a delivery: AXELNAC_URL most likely points at the wrong service.
 */
export class WrongServiceError extends AxelnacError {
  static readonly code = "AXELNAC_WRONG_SERVICE";
  constructor(summary: string, details: AxelnacErrorDetails) {
    super(WrongServiceError.code, "systemic", summary, details);
  }
}

/** A status or body the API never gives (a 1xx, a 2xx login whose JSON has no token). */
export class UnexpectedResponseError extends AxelnacError {
  static readonly code = "AXELNAC_UNEXPECTED_RESPONSE";
  constructor(summary: string, details: AxelnacErrorDetails) {
    super(UnexpectedResponseError.code, "unreachable", summary, details);
  }
}

export function isAxelnacError(e: unknown): e is AxelnacError {
  return e instanceof AxelnacError;
}
