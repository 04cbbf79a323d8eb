import type { ApiHandler } from "../api-context";
import { authenticate } from "./authenticate";

/**
 * GET /api/v1/token_info. Like any authenticated call it restarts the idle timer, unless asked
 * not to with `?no-expiration-extension=1`.
 */
export const tokenInfo: ApiHandler = (context, request, reply) => {
  const flag = request.query.get("no-expiration-extension");
  const extend = flag === null || flag === "0" || flag === "false";
  const session = authenticate(context, request, reply, extend);
  if (!session) return;
  reply.json(200, {
    item: {
      username: session.username,
      expires_at: new Date(context.tokens.expiresAt(session)).toISOString(),
      created_at: new Date(session.createdAt).toISOString(),
    },
    status: 200,
  });
};
