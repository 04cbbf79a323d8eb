/**
 * Whether an account may make a request, decided as PacketFence's Go front end does it
 * (go/api-frontend/aaa/authorization.go, isAuthorizedAdminActions; docs/axelnac-api.md §2): the
 * base role of the FIRST listed prefix the path starts with (plain string prefix, in list order),
 * SYSTEM for any other path, then a suffix for the method — `_READ` for a POST to a path ending in
 * `/search`. Only the prefixes the simulator can meet are listed.
 */

const API_PREFIX = "/api/v1";

/** Any authenticated account may use these paths. */
// Stryker disable next-line StringLiteral: a marker compared only with itself; any text would do
const ALLOW_ANY = "*";

const PATH_BASE_ROLES: ReadonlyArray<readonly [string, string]> = [
  [`${API_PREFIX}/current_user`, ALLOW_ANY],
  [`${API_PREFIX}/user/`, "USERS"],
  [`${API_PREFIX}/users`, "USERS"],
];

const METHOD_SUFFIXES: Readonly<Record<string, string>> = {
  GET: "_READ",
  OPTIONS: "_READ",
  POST: "_CREATE",
  PUT: "_UPDATE",
  PATCH: "_UPDATE",
  DELETE: "_DELETE",
};

/** Everything the ALL role allows, as far as the simulator's routes are concerned. */
export const ALL_ADMIN_ACTIONS: readonly string[] = ["SYSTEM", "USERS"].flatMap((base) =>
  ["_CREATE", "_READ", "_UPDATE", "_DELETE"].map((suffix) => `${base}${suffix}`),
);

/**
 * Why an account holding `granted` may not make `method path`, in the appliance's words (answered
 * 403); undefined when it may.
 */
export function adminRefusal(
  method: string,
  path: string,
  granted: readonly string[],
): string | undefined {
  const base = PATH_BASE_ROLES.find(([prefix]) => path.startsWith(prefix))?.[1] ?? "SYSTEM";
  let suffix = METHOD_SUFFIXES[method];
  if (suffix === undefined) {
    return `Impossible to find admin role suffix for unknown method ${method}`;
  }
  if (method === "POST" && path.endsWith("/search")) suffix = "_READ";
  if (base === ALLOW_ANY) return undefined;
  const action = `${base}${suffix}`;
  if (granted.includes(action)) return undefined;
  return `Unauthorized access, lacking the ${action} administrative role`;
}
