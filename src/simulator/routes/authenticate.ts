import type { ApiContext, ApiReply, ApiRequest } from "../api-context";
import type { TokenSession } from "../sessions";
import { TOKEN_TOO_OLD, TOKEN_UNKNOWN } from "./messages";

/**
 * The token check in front of every authenticated route. As PacketFence does with Go's
 * `strings.TrimPrefix(header, "Bearer ")`, the prefix is stripped case-sensitively: a bare token
 * works and "bearer <token>" is an unknown token. Answers the 401 itself and returns undefined.
 */
export function authenticate(
  context: ApiContext,
  request: ApiRequest,
  reply: ApiReply,
  extend = true,
): TokenSession | undefined {
  const header = request.headers.authorization ?? "";
  const token = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : header;
  const check = context.tokens.check(token, extend);
  if (check.ok) return check.session;
  context.stats.count("unauthorized");
  context.logger.info(
    { path: request.pathname, reason: check.reason, status: 401 },
    "simulator: token refused",
  );
  // Sent as text/plain on purpose: the appliance labels these bodies so (docs/axelnac-api.md §2).
  const message = check.reason === "too-old" ? TOKEN_TOO_OLD : TOKEN_UNKNOWN;
  reply.text(401, JSON.stringify({ message }));
  return undefined;
}
