import type { Failure, FailureClass } from "../outcome";

/**
 * Thrown to every caller while logins are held back after a failed one, so that a fleet facing
 * wrong API credentials or a dead appliance makes one login attempt per back-off step, not one per job.
 * `failureClass` is that of the failure that caused it, so the worker treats both alike.
 */
export class LoginBackoffError extends Error implements Failure {
  override name = "LoginBackoffError";
  readonly code = "AXELNAC_LOGIN_BACKOFF";

  constructor(
    readonly failureClass: FailureClass,
    /** The code of the login failure that started the back-off, e.g. AXELNAC_LOGIN_REJECTED. */
    readonly causeCode: string,
    readonly retryAfterMs: number,
    readonly attempts: number,
    applianceMessage: string,
  ) {
    super(
      `login to AxelNAC is held back for ${Math.ceil(retryAfterMs / 1000)} s after ${attempts} failed attempt(s): ${causeCode} ${applianceMessage}`,
    );
  }
}
