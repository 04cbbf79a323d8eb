import type { ApiHandler } from "../api-context";
import { decodeLoginBody } from "../login-body";
import { LOGIN_REFUSED } from "./messages";

/**
 * POST /api/v1/login: `{"username","password"}` → `{"token":"<64 hex>"}`, answered by the front
 * end. The body is decoded as Go's encoding/json does it (docs/axelnac-api.md §1).
 */
export const login: ApiHandler = (context, request, reply) => {
  const decoded = decodeLoginBody(request.body);
  if (!decoded.ok) {
    // The appliance's Go handler answers a decode error as plain text: http.Error's format.
    reply.text(400, `${decoded.message}\n`);
    context.logger.info({ status: 400 }, "simulator: login refused, body not decoded");
    return;
  }
  const { username, password } = decoded;
  const account = context.accounts.authenticate(username, password);
  if (!account) {
    context.stats.count("loginFailures");
    context.logger.info({ username, status: 401 }, "simulator: login refused");
    reply.json(401, { message: LOGIN_REFUSED });
    return;
  }
  const token = context.tokens.issue(account.username);
  context.stats.count("logins");
  context.logger.info({ username, status: 200 }, "simulator: login accepted");
  reply.json(200, { token });
};
