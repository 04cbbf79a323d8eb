/** The appliance's wording (docs/axelnac-api.md §1, §2, §5): clients may match on these strings. */
export const LOGIN_REFUSED = "Wasn't able to authenticate those credentials";
export const TOKEN_UNKNOWN = "Invalid token. Login again using /api/v1/login";
export const TOKEN_TOO_OLD = "Invalid token info";
export const TOKEN_INFO_NOT_FOUND =
  "Couldn't find any information for the current token. Either it is invalid or it has expired.";
export const UNKNOWN_PID = "Unable to get resource with this identifier";
export const UNAVAILABLE = "No server is available to handle this request";
export const TOO_MANY_REQUESTS = "Too many requests";
export const PROXY_ERROR = "Proxy Error";
/** lib/pf/UnifiedApi/Controller.pm, `$ERROR_400_MSG`: a body `parse_json` cannot decode. */
export const BAD_REQUEST = "Bad Request. One of the submitted parameters has an invalid format";
/** HAProxy's built-in 504 page, byte for byte. */
export const GATEWAY_TIMEOUT_PAGE =
  "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n";

export const missingParameter = (name: string) => `Missing '${name}' parameter`;
export const unknownSource = (sourceId: string) => `Unknown source_id '${sourceId}'`;
export const unknownPath = (path: string) => `Unknown path ${path}`;
export const sendFailed = (pid: string) =>
  `Failed to send SMS to ${pid}. Check server side logs for details`;
export const sendSucceeded = (pid: string) => `Successfully sent credentials to ${pid}`;
