import type { ApiHandler } from "../api-context";
import { unknownPath } from "./messages";
import { sendUserCredentials } from "./send-user-credentials";
import { getUser, USER_PATH_PREFIX } from "./user";
import { usersBulkImport } from "./users-bulk-import";

/** What the API workers (PacketFence's Perl Unified API) serve, once the front end let it through. */
const ROUTES: Record<string, ApiHandler> = {
  "POST /api/v1/sms_gateways/send_user_credentials": sendUserCredentials,
  "POST /api/v1/users/bulk_import": usersBulkImport,
};

/** Dispatches on method and path; anything else is the appliance's "Unknown path" 404. */
export const routeApiRequest: ApiHandler = (context, request, reply) => {
  const handler =
    ROUTES[`${request.method} ${request.pathname}`] ??
    (request.method === "GET" && isUserPath(request.pathname) ? getUser : undefined);
  if (handler) {
    handler(context, request, reply);
    return;
  }
  reply.json(404, { message: unknownPath(request.pathname), errors: [], status: 404 });
};

/** `/api/v1/user/{pid}`: one segment after the prefix. */
function isUserPath(pathname: string): boolean {
  const rest = pathname.slice(USER_PATH_PREFIX.length);
  return pathname.startsWith(USER_PATH_PREFIX) && rest !== "" && !rest.includes("/");
}
