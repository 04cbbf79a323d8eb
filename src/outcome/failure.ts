import type { OutcomeCode } from "./codes";

/**
 * The outcome contract every part of the courier speaks: the AxelNAC client produces failures,
 * the token manager and the processor decide on them. It sits apart from all three so that none
 * depends on another to read a failure.
 */

/** What the caller should do about a failure. */
export type FailureClass =
  | "token_rejected" // log in again, then retry the job
  | "systemic" // every job would fail the same way: pause and alert, do not burn attempts
  | "permanent" // this job can never succeed: give up on it
  | "throttled" // wait retryAfterMs, then retry
  | "retryable" // nothing was sent: retry with backoff
  | "unreachable" // the appliance did not answer usefully: retry with backoff
  | "ambiguous"; // the SMS may have gone out: do not resend blindly

const FAILURE_CLASSES: ReadonlySet<string> = new Set<FailureClass>([
  "token_rejected",
  "systemic",
  "permanent",
  "throttled",
  "retryable",
  "unreachable",
  "ambiguous",
]);

export function isFailureClass(value: unknown): value is FailureClass {
  return typeof value === "string" && FAILURE_CLASSES.has(value);
}

/** A classified failure. The errors that carry one (AxelnacError, LoginBackoffError) have this shape. */
export interface Failure {
  readonly code: OutcomeCode;
  readonly failureClass: FailureClass;
  readonly message: string;
  /** For throttled and held-back logins: how long to wait before trying again. */
  readonly retryAfterMs?: number;
  /** The appliance's HTTP status, when it answered (the delivery history records it). */
  readonly status?: number;
  /** The appliance's message, when it said one: scrubbed of the password and token sent. */
  readonly applianceMessage?: string;
}

/** Whether a thrown value is a classified failure (any class that has the contract's fields). */
export function isFailure(error: unknown): error is Failure {
  const e = error as Partial<Failure> | null | undefined;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.code === "string" &&
    isFailureClass(e.failureClass) &&
    typeof e.message === "string"
  );
}

/** What an unclassified throw (a bug, Redis trouble) counts as, unless the caller says otherwise. */
export const INTERNAL_FAILURE = {
  code: "COURIER_INTERNAL_ERROR",
  failureClass: "retryable",
} as const;

/**
 * Any thrown value as a failure: a classified one keeps its code, class, message, wait and the
 * appliance's answer; anything else takes `otherwise`'s, with its own message.
 */
export function toFailure(
  error: unknown,
  otherwise: Pick<Failure, "code" | "failureClass"> = INTERNAL_FAILURE,
): Failure {
  if (isFailure(error)) {
    const { code, failureClass, message, retryAfterMs, status, applianceMessage } = error;
    return {
      code,
      failureClass,
      message,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(typeof status === "number" ? { status } : {}),
      ...(typeof applianceMessage === "string" ? { applianceMessage } : {}),
    };
  }
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return { ...otherwise, message: typeof message === "string" ? message : String(error) };
}

/**
 * The text a failed job, a log line and a command show: always the code first, so that one grep
 * finds every occurrence, and `reasonCode` reads it back.
 */
export function failureReason(failure: Pick<Failure, "code" | "message">, note?: string): string {
  return `${failure.code}: ${failure.message}${note ? ` (${note})` : ""}`;
}

const LEADING_CODE = /^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+): /;

/**
 * The code at the head of a reason `failureReason` wrote; undefined for a reason written by
 * someone else (BullMQ's own "job stalled more than allowable limit").
 */
export function reasonCode(reason: string): string | undefined {
  return LEADING_CODE.exec(reason)?.[1];
}

/**
 * A reason as a person reads it: its code once, and the words after it. The messages of the
 * appliance's errors end with their code in brackets, for log lines that show no code field;
 * beside the code, that is said twice: `X: send rejected: 404 no such user (X) (gave up after
 * 3 attempts)` reads `send rejected: 404 no such user (gave up after 3 attempts)`.
 */
export function reasonParts(reason: string): { code: string | undefined; message: string } {
  const code = reasonCode(reason);
  if (code === undefined) return { code, message: reason };
  const message = reason.slice(code.length + 2).replaceAll(` (${code})`, "");
  return { code, message };
}
