/**
 * A request that got no complete answer → an outcome. Pure, like classify.ts.
 *
 * The rule for "was the request sent?": exchange.ts watches undici's `onRequestStart` hook, which
 * undici calls on a connected (and, for https, verified) socket immediately before writing the
 * request. Without it not one byte of the request left this process, so the appliance cannot
 * have acted on it: unreachable, whatever the error code (refused, DNS, connect timeout, reset
 * during the handshake). With it, a timeout or a reset/closed socket means the appliance may have
 * read the request and sent the SMS: ambiguous. Login and token_info send no SMS, so they are never
 * ambiguous.
 */
import { scrub } from "./body";
import { type CallContext, describeCall } from "./classify";
import {
  AmbiguousOutcomeError,
  ApplianceUnreachableError,
  type AxelnacError,
  type AxelnacErrorDetails,
  TlsUntrustedError,
} from "./errors";

export interface TransportFailure {
  error: Error;
  /** undici began writing the request to a socket (`onRequestStart`). */
  requestSent: boolean;
  /** The status line, when the failure came after the response headers (body timeout, reset). */
  status?: number;
}

/**
 * OpenSSL's verification failures and Node's host-name check, by what the operator must do: a
 * certificate issued for another name needs another AXELNAC_URL (or a new certificate), one
 * outside its validity period a renewal (or a right clock), the rest a CA to trust.
 */
const NAME_MISMATCH_CODES = new Set([
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "HOSTNAME_MISMATCH",
  "IP_ADDRESS_MISMATCH",
]);
const VALIDITY_CODES = new Set([
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
]);
const TRUST_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
]);

/** What is wrong with the certificate and what to do, or undefined for a failure of another kind. */
function certificateProblem(code: string, what: string): string | undefined {
  if (NAME_MISMATCH_CODES.has(code)) {
    return `the appliance's TLS certificate does not name the host of AXELNAC_URL: ${what}; use a name the certificate holds in AXELNAC_URL, or have it reissued for this one`;
  }
  if (VALIDITY_CODES.has(code)) {
    return `the appliance's TLS certificate is outside its validity period: ${what}; renew it on the appliance, or set this host's clock right`;
  }
  if (TRUST_CODES.has(code)) {
    return `the appliance's TLS certificate is not trusted: ${what}; set AXELNAC_CA_FILE to the CA that signed it`;
  }
  return undefined;
}

export function classifyTransportFailure(
  failure: TransportFailure,
  context: CallContext,
  // Stryker disable next-line ArrayDeclaration: a default secret would only redact its own text, which no real error holds
  secrets: readonly string[] = [],
): AxelnacError {
  const cause = safeCause(failure.error, secrets);
  const details: AxelnacErrorDetails = {
    operation: context.operation,
    cause,
    ...("pid" in context ? { pid: context.pid } : {}),
    // Stryker disable next-line ConditionalExpression: AxelnacError records a status only when it is defined
    ...(failure.status !== undefined ? { status: failure.status } : {}),
  };
  const call = describeCall(context);
  const what = describeError(cause);

  // Stryker disable next-line StringLiteral: any fallback that is not a certificate code is equivalent
  const certificate = certificateProblem(errorCode(failure.error) ?? "", what);
  if (certificate !== undefined) {
    return new TlsUntrustedError(`${call} failed: ${certificate}`, details);
  }
  if (!failure.requestSent || context.operation !== "send") {
    return new ApplianceUnreachableError(`${call} failed: ${what}`, details);
  }
  return new AmbiguousOutcomeError(
    `${call} outcome unknown: ${what} after the request was sent; the SMS may have gone out`,
    details,
  );
}

/**
 * A copy of a network error holding only its name, code and message: undici errors may carry
 * response bodies and headers, and the request's never belong in a log.
 */
// Stryker disable next-line ArrayDeclaration: a default secret would only redact its own text, which no real error holds
export function safeCause(error: Error, secrets: readonly string[] = []): Error {
  const copy = new Error(scrub(messageOf(error), secrets));
  copy.name = error.name;
  const code = errorCode(error);
  if (code !== undefined) Object.assign(copy, { code });
  return copy;
}

function describeError(cause: Error): string {
  const code = errorCode(cause);
  return code === undefined || cause.message.includes(code)
    ? cause.message
    : `${cause.message} [${code}]`;
}

function errorCode(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** Node's happy-eyeballs connect throws an AggregateError whose own message is empty. */
function messageOf(error: Error): string {
  if (error.message) return error.message;
  if (error instanceof AggregateError) {
    const inner = error.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e)));
    if (inner.length > 0) return inner.join("; ");
  }
  return error.name;
}
