import type { ApiHandler } from "../api-context";
import { bearerToken } from "../front-end";
import { TOKEN_INFO_NOT_FOUND } from "./messages";

/**
 * GET /api/v1/token_info, answered by the front end itself (docs/axelnac-api.md §4): it restarts
 * the idle timer unless `no-expiration-extension` has any non-empty value ("0" included, as Go
 * only tests for an empty string), and answers an unknown or expired token 404, not 401.
 */
export const tokenInfo: ApiHandler = (context, request, reply) => {
  const extend = (request.query.get("no-expiration-extension") ?? "") === "";
  const check = context.tokens.check(bearerToken(request), extend);
  const account = check.ok ? context.accounts.find(check.session.username) : undefined;
  if (!check.ok || !account) {
    context.stats.count("unauthorized");
    reply.text(404, JSON.stringify({ message: TOKEN_INFO_NOT_FOUND }));
    return;
  }
  // No Content-Type of its own on the appliance either: text/plain by sniffing (§4).
  reply.text(
    200,
    JSON.stringify({
      item: {
        admin_actions: account.adminActions,
        admin_roles: account.adminRoles,
        username: account.username,
        expires_at: new Date(context.tokens.expiresAt(check.session)).toISOString(),
      },
    }),
  );
};
