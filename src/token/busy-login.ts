import { LoginRejectedError } from "../axelnac/errors";
import { formatDuration } from "../config/duration";

/**
 * A 401 to a login is not always a wrong password. The appliance checks an administrator from an
 * internal source by calling its own API workers and, when none answers within 10 s, refuses the
 * login with the same 401 it gives a wrong password (docs/axelnac-api.md §1). So when a login with
 * this very account succeeded recently, the message says both, and names the account kind that
 * is checked in memory and never meets this.
 *
 * Returns the error to report: `error` itself, or a copy with the longer message.
 */
export function explainLoginRejection(error: unknown, lastLoginAgoMs: number | undefined): unknown {
  if (!(error instanceof LoginRejectedError) || error.status !== 401) return error;
  if (lastLoginAgoMs === undefined) return error;
  const summary = error.message.slice(0, -` (${error.code})`.length);
  const ago = formatDuration(lastLoginAgoMs, "remaining");
  return new LoginRejectedError(
    `${summary}, though a login with the same account succeeded ${ago} ago: either its password changed, or the appliance was too busy to check it (an administrator from an internal source is checked by the API workers, and refused when none answers in 10 s; the [webservices] account of pf.conf is checked in memory and is never refused for that)`,
    {
      operation: error.operation,
      status: error.status,
      // Stryker disable next-line ConditionalExpression: AxelnacError records an appliance message only when it is defined
      ...(error.applianceMessage !== undefined ? { applianceMessage: error.applianceMessage } : {}),
    },
  );
}
