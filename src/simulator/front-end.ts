import { adminRefusal } from "./admin-actions";
import type { ApiContext, ApiHandler, ApiRequest } from "./api-context";
import { login } from "./routes/login";
import { TOKEN_TOO_OLD, TOKEN_UNKNOWN } from "./routes/messages";
import { tokenInfo } from "./routes/token-info";

/**
 * What the appliance's Go front end (api-aaa) does with a request before any API worker sees it
 * (docs/axelnac-api.md §2, §6): it answers login and token_info itself, and for every other path
 * under /api/v1/ checks the token (401), restarts its idle timer, checks its lifetime (401) and
 * the account's role (403). Only a request that passes is handed to the API workers.
 */
export type FrontEndDecision = { answer: ApiHandler } | { forward: true };

const FRONT_END_ROUTES: Readonly<Record<string, ApiHandler>> = {
  "POST /api/v1/login": login,
  "GET /api/v1/token_info": tokenInfo,
};

const CHECKED_PREFIX = "/api/v1/";

export function frontEnd(context: ApiContext, request: ApiRequest): FrontEndDecision {
  const own = FRONT_END_ROUTES[`${request.method} ${request.pathname}`];
  if (own) return { answer: own };
  if (!request.pathname.startsWith(CHECKED_PREFIX)) return { forward: true };

  const check = context.tokens.check(bearerToken(request), true);
  if (!check.ok) {
    const message = check.reason === "too-old" ? TOKEN_TOO_OLD : TOKEN_UNKNOWN;
    return { answer: refuse(401, message, check.reason) };
  }
  const granted = context.accounts.find(check.session.username)?.adminActions ?? [];
  const refusal = adminRefusal(request.method, request.pathname, granted);
  if (refusal !== undefined) return { answer: refuse(403, refusal, "role") };
  return { forward: true };
}

/**
 * As PacketFence does with Go's `strings.TrimPrefix(header, "Bearer ")`, the prefix is stripped
 * case-sensitively: a bare token works and "bearer <token>" is an unknown token.
 */
export function bearerToken(request: ApiRequest): string {
  const header = request.headers.authorization ?? "";
  return header.startsWith("Bearer ") ? header.slice("Bearer ".length) : header;
}

function refuse(status: 401 | 403, message: string, reason: string): ApiHandler {
  return (context, request, reply) => {
    context.stats.count(status === 401 ? "unauthorized" : "forbidden");
    context.logger.info(
      { path: request.pathname, reason, status },
      "simulator: refused by the front end",
    );
    // Sent as text/plain on purpose: the appliance labels these bodies so (docs/axelnac-api.md §2).
    reply.text(status, JSON.stringify({ message }));
  };
}
