import type { ApiHandler } from "../api-context";
import { login } from "./login";
import { unknownPath } from "./messages";
import { sendUserCredentials } from "./send-user-credentials";
import { tokenInfo } from "./token-info";

const ROUTES: Record<string, ApiHandler> = {
  "POST /api/v1/login": login,
  "GET /api/v1/token_info": tokenInfo,
  "POST /api/v1/sms_gateways/send_user_credentials": sendUserCredentials,
};

/** Dispatches on method and exact path; anything else is the appliance's "Unknown path" 404. */
export const routeApiRequest: ApiHandler = (context, request, reply) => {
  const handler = ROUTES[`${request.method} ${request.pathname}`];
  if (handler) {
    handler(context, request, reply);
    return;
  }
  reply.json(404, { message: unknownPath(request.pathname), errors: [], status: 404 });
};
