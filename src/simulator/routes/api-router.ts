import type { ApiHandler } from "../api-context";
import { unknownPath } from "./messages";
import { sendUserCredentials } from "./send-user-credentials";

/** What the API workers (PacketFence's Perl Unified API) serve, once the front end let it through. */
const ROUTES: Record<string, ApiHandler> = {
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
