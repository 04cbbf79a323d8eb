/**
 * The appliance's answer → an outcome. Pure: status, headers and body in; a token, a delivery or
 * an AxelnacError out (returned, not thrown), so every row of the table is unit-testable.
 */

import { plural } from "../logging/plural";
import { applianceMessage, isRecord, type ReplyBody, truncate } from "./body";
import {
  AccessDeniedError,
  AmbiguousOutcomeError,
  ApplianceUnreachableError,
  type AxelnacError,
  type AxelnacErrorDetails,
  EndpointMissingError,
  LoginRejectedError,
  ProviderFailedError,
  RequestRejectedError,
  ThrottledError,
  TokenRejectedError,
  UnexpectedResponseError,
  WrongServiceError,
} from "./errors";
import { parseRetryAfter } from "./retry-after";

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: ReplyBody;
}

/** A 2xx to send_user_credentials: accepted by the appliance (not proof the handset got it). */
export interface Delivered {
  status: number;
  /** The 2xx body's message, or "" when none. */
  message: string;
}

export type CallContext =
  | { operation: "login" }
  | { operation: "token_info" }
  | { operation: "send"; pid: string }
  | { operation: "user"; pid: string }
  | { operation: "bulk_import"; guests: number };

/**
 * How error messages name the call: `login`, `token_info`, `send_user_credentials for pid "x"`,
 * `user lookup for pid "x"` or `users bulk_import of 25 guests`.
 */
export function describeCall(context: CallContext): string {
  switch (context.operation) {
    case "bulk_import":
      return `users bulk_import of ${plural(context.guests, "guest")}`;
    case "send":
      return `send_user_credentials for pid ${JSON.stringify(context.pid)}`;
    case "user":
      return `user lookup for pid ${JSON.stringify(context.pid)}`;
    default:
      return context.operation;
  }
}

/** A guest's record on the appliance, as far as the courier needs it. */
export interface GuestRecord {
  /** The pid as the appliance stores it (it finds pids ignoring case). */
  pid: string;
  /** The recorded telephone; "" or undefined when the appliance has none. */
  telephone: string | undefined;
  /** The person's notes, where onboarding leaves the mark of the run that created the guest. */
  notes?: string | undefined;
}

/** Longest token the courier accepts; the appliance's are 64 hex digits. */
export const TOKEN_MAX_LENGTH = 4_096;

/** A token travels in an Authorization header: visible ASCII only, no space, no control character. */
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

export function classifyLoginReply(reply: Reply, now: number = Date.now()): string | AxelnacError {
  if (isSuccess(reply.status)) {
    const json = reply.body.json;
    const details = { operation: "login", status: reply.status } as const;
    if (!isRecord(json)) return notTheApi(reply, { operation: "login" });
    if (typeof json.token !== "string" || json.token.length === 0) {
      // The body is not quoted: it might hold a token-like value in an unexpected shape.
      return new UnexpectedResponseError(`login answered ${reply.status} without a token`, details);
    }
    const flaw = tokenFlaw(json.token);
    if (flaw === undefined) return json.token;
    // Not quoted either, however malformed: it is a credential. Stored, it would fail every
    // request of the fleet as a header that cannot be sent, an appliance seemingly unreachable.
    return new UnexpectedResponseError(
      `login answered ${reply.status} with a malformed token (${json.token.length} characters, ${flaw})`,
      details,
    );
  }
  return classifyFailure(reply, { operation: "login" }, now);
}

/** What makes a token unusable in a header, or undefined when it can be sent. */
function tokenFlaw(token: string): string | undefined {
  if (token.length > TOKEN_MAX_LENGTH) return `more than ${TOKEN_MAX_LENGTH}`;
  if (!TOKEN_CHARACTERS.test(token)) return "some of them spaces, control or non-ASCII characters";
  return undefined;
}

/**
 * token_info with a token just issued: a 2xx carrying the token's `item` proves the API (not a
 * portal or a proxy page) accepts it. 401 (the simulator) and a JSON 404 (PacketFence,
 * docs/axelnac-api.md §4) mean the token is refused.
 */
export function classifyTokenInfoReply(
  reply: Reply,
  now: number = Date.now(),
): true | AxelnacError {
  if (isSuccess(reply.status)) {
    const json = reply.body.json;
    if (!isRecord(json)) return notTheApi(reply, { operation: "token_info" });
    if (isRecord(json.item)) return true;
    return new UnexpectedResponseError(
      `token_info answered ${reply.status} without the token's information`,
      { operation: "token_info", status: reply.status },
    );
  }
  return classifyFailure(reply, { operation: "token_info" }, now);
}

export function classifySendReply(
  reply: Reply,
  pid: string,
  now: number = Date.now(),
): Delivered | AxelnacError {
  if (isSuccess(reply.status)) {
    // Not a delivery: a page or an empty body did not come from the API, which answers JSON.
    if (!isRecord(reply.body.json)) return notTheApi(reply, { operation: "send", pid });
    return { status: reply.status, message: applianceMessage(reply.body) ?? "" };
  }
  return classifyFailure(reply, { operation: "send", pid }, now);
}

/**
 * GET /api/v1/user/{pid} (docs/axelnac-api.md §7): the guest's record, null for the API's own 404
 * (no such guest), an AxelnacError otherwise (a 404 `Unknown path` or a page is a missing
 * endpoint, as for every call).
 */
export function classifyUserReply(
  reply: Reply,
  pid: string,
  now: number = Date.now(),
): GuestRecord | null | AxelnacError {
  const context: CallContext = { operation: "user", pid };
  if (isSuccess(reply.status)) {
    const json = reply.body.json;
    if (!isRecord(json)) return notTheApi(reply, context);
    const item = json.item;
    if (!isRecord(item)) {
      return new UnexpectedResponseError(
        `${describeCall(context)} answered ${reply.status} without the guest's record`,
        callDetails(reply, context, undefined),
      );
    }
    return {
      pid: typeof item.pid === "string" ? item.pid : pid,
      telephone: typeof item.telephone === "string" ? item.telephone : undefined,
      notes: typeof item.notes === "string" ? item.notes : undefined,
    };
  }
  const message = applianceMessage(reply.body);
  if (reply.status === 404 && !isEndpointMissing(reply.body, message)) return null;
  return classifyFailure(reply, context, now);
}

/**
 * A 2xx whose body is not a JSON object: the API (Perl or Go layer) answers every request in
 * JSON (docs/axelnac-api.md §5), so a web page, an empty body or bare text came from another
 * service, and will come again for every job.
 */
export function notTheApi(reply: Reply, context: CallContext): WrongServiceError {
  // A body that starts with "<" is never JSON, so it needs no check that it did not parse.
  const { text } = reply.body;
  const what =
    text.trim().length === 0
      ? "an empty body"
      : /^\s*</.test(text)
        ? "an HTML page"
        : "a body that is not the API's JSON";
  return new WrongServiceError(
    `${describeCall(context)} answered ${reply.status} with ${what}: AXELNAC_URL likely points at the wrong service, not the AxelNAC API`,
    callDetails(reply, context, undefined),
  );
}

/** Any answer but a 2xx, to any call. */
export function classifyFailure(reply: Reply, context: CallContext, now: number): AxelnacError {
  const { status } = reply;
  const message = applianceMessage(reply.body);
  const details = callDetails(reply, context, message);
  const said = message === undefined ? `${status}` : `${status} ${message}`;
  const rejected = `${describeCall(context)} rejected: ${said}`;
  const failed = `${describeCall(context)} failed: ${said}`;

  if (status === 401) {
    return context.operation === "login"
      ? new LoginRejectedError(rejected, details)
      : new TokenRejectedError(rejected, details);
  }
  if (status === 403) return new AccessDeniedError(rejected, details);
  if (status === 404 && isEndpointMissing(reply.body, message)) {
    return new EndpointMissingError(rejected, details);
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(reply.headers["retry-after"], now);
    return new ThrottledError(`${describeCall(context)} throttled: ${said}`, {
      ...details,
      retryAfterMs,
    });
  }
  if (status >= 400 && status < 500) {
    // A refused login request (400 malformed, 422 missing field) is a configuration problem:
    // every login would fail the same way, so it is systemic like wrong credentials.
    if (context.operation === "login") return new LoginRejectedError(rejected, details);
    if (context.operation === "token_info" && status === 404) {
      return new TokenRejectedError(rejected, details);
    }
    const code = status === 404 ? "AXELNAC_GUEST_NOT_FOUND" : "AXELNAC_INVALID_REQUEST";
    return new RequestRejectedError(code, rejected, details);
  }
  if ((status === 502 || status === 504) && changesState(context)) {
    // A worker killed mid-request (502) or HAProxy giving up on a slow one (504): the request
    // may have reached the API, and the SMS gone out or the guests been saved (docs/axelnac-api.md §5).
    return new AmbiguousOutcomeError(
      `${failed}: a proxy answered, and the request may have reached the appliance`,
      details,
    );
  }
  if (status === 502 || status === 503 || status === 504) {
    return new ApplianceUnreachableError(failed, details);
  }
  if (status >= 500) {
    const code =
      status === 500 && context.operation === "send"
        ? "AXELNAC_SMS_PROVIDER_FAILED"
        : "AXELNAC_SERVER_ERROR";
    return new ProviderFailedError(code, failed, details);
  }
  // Every status from 400 on was answered above.
  if (status >= 300) {
    // The API never redirects: an http:// URL sent to https, a portal, a load balancer's login.
    // Not followed, as a redirect could carry the credentials to another host.
    const location = headerValue(reply.headers.location);
    const where =
      location === undefined ? "without a Location" : `to ${JSON.stringify(truncate(location))}`;
    return new WrongServiceError(
      `${describeCall(context)} was redirected (${status}) ${where}: AXELNAC_URL likely points at the wrong address, or at another service than the AxelNAC API`,
      details,
    );
  }
  // 1xx: the API never sends one.
  return new UnexpectedResponseError(
    `${describeCall(context)} got unexpected status ${said}`,
    details,
  );
}

function callDetails(
  reply: Reply,
  context: CallContext,
  message: string | undefined,
): AxelnacErrorDetails {
  return {
    operation: context.operation,
    status: reply.status,
    ...("pid" in context ? { pid: context.pid } : {}),
    // Stryker disable next-line ConditionalExpression: AxelnacError records an appliance message only when it is defined
    ...(message !== undefined ? { applianceMessage: message } : {}),
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The appliance's router answers `Unknown path …` for an endpoint it lacks. A 404 that is not
 * JSON at all did not come from the API either (a proxy or web server page): the path is missing
 * for every job, not this guest.
 */
function isEndpointMissing(body: ReplyBody, message: string | undefined): boolean {
  if (body.json === undefined) return true;
  return message?.startsWith("Unknown path") ?? false;
}

/** The calls whose effect may have happened although no answer says so. */
function changesState(context: CallContext): boolean {
  return context.operation === "send" || context.operation === "bulk_import";
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
