import type { ApiHandler } from "../api-context";
import { UNKNOWN_PID } from "./messages";

export const USER_PATH_PREFIX = "/api/v1/user/";

/**
 * GET /api/v1/user/{pid}: the guest's person record, as PacketFence's Users controller answers
 * it (Crud.pm `resource` and `render_get`, docs/axelnac-api.md §7): 200 `{"item":{…},"status":200}`
 * with the pid as stored, or 404 "Unable to get resource with this identifier". The person fields
 * the simulator keeps are filled (those bulk_import saved); the appliance has more.
 */
export const getUser: ApiHandler = (context, request, reply) => {
  let pid: string;
  try {
    pid = decodeURIComponent(request.pathname.slice(USER_PATH_PREFIX.length));
  } catch {
    pid = "";
  }
  const guest = pid === "" ? undefined : context.guests.find(pid);
  context.logger.info({ guestPid: pid, found: guest !== undefined }, "simulator: user looked up");
  if (!guest) {
    reply.json(404, { message: UNKNOWN_PID, errors: [], status: 404 });
    return;
  }
  const { password: _entry, ...person } = guest;
  reply.json(200, { item: person, status: 200 });
};
