import type { ApiContext, ApiHandler, ApiReply } from "../api-context";
import { drawSendFault, type SendFault } from "../faults";
import { isRecord, parseJson } from "../http-io";
import {
  GATEWAY_TIMEOUT_PAGE,
  missingParameter,
  PROXY_ERROR,
  sendFailed,
  sendSucceeded,
  TOO_MANY_REQUESTS,
  UNAVAILABLE,
  UNKNOWN_PID,
  unknownSource,
} from "./messages";

const REQUIRED = ["pid", "password", "source_id"] as const;

/**
 * POST /api/v1/sms_gateways/send_user_credentials with `{"args":{pid,password,source_id}}`.
 * The front end checked the token and role. Checks in the appliance's order: body, parameters,
 * source, guest; then the injected faults; only then is the SMS "sent". A fault never leaves an
 * outbox entry, but a trickle: the appliance sent the SMS, only its answer is slow.
 */
export const sendUserCredentials: ApiHandler = (context, request, reply) => {
  context.stats.count("sendRequests");

  const parsed = parseJson(request.body);
  if (!parsed.ok) {
    answer(context, reply, undefined, 400, "Unable to parse JSON body");
    return;
  }
  const args = isRecord(parsed.value) && isRecord(parsed.value.args) ? parsed.value.args : {};
  for (const name of REQUIRED) {
    const value = args[name];
    if (typeof value !== "string" || value === "") {
      const pid = typeof args.pid === "string" ? args.pid : undefined;
      answer(context, reply, pid, 422, missingParameter(name), { errors: [] });
      return;
    }
  }
  const pid = args.pid as string;
  const password = args.password as string;
  const sourceId = args.source_id as string;

  if (context.sources && !context.sources.has(sourceId)) {
    const message = unknownSource(sourceId);
    answer(context, reply, pid, 422, message, { errors: [{ field: "source_id", message }] });
    return;
  }
  const guest = context.guests.find(pid);
  if (guest === undefined) {
    answer(context, reply, pid, 404, UNKNOWN_PID, { errors: [] });
    return;
  }
  const { telephone } = guest;
  if (telephone === "") {
    // The SMS sources hand the provider an empty number, which it refuses; the source returns
    // false, and the endpoint answers as for any provider failure (docs/axelnac-api.md §5).
    context.logger.info({ guestPid: pid }, "simulator: guest has no telephone, no SMS sent");
    answer(context, reply, pid, 500, sendFailed(pid));
    return;
  }
  const faults = context.faults();
  const fault = drawSendFault(faults, context.random);
  if (injectFault(context, reply, pid, fault)) return;

  const stored = guest.password?.fingerprint;
  context.outbox.record({
    pid,
    password,
    telephone,
    sourceId,
    ...(stored === undefined ? {} : { storedFingerprint: stored }),
  });
  context.stats.count("sent");
  if (fault === "gatewayTimeout") {
    context.logger.info({ guestPid: pid, fault }, "simulator: sent, answered 504 (injected fault)");
    reply.html(504, GATEWAY_TIMEOUT_PAGE);
    return;
  }
  if (fault === "trickle") {
    context.logger.info(
      { guestPid: pid, fault },
      "simulator: send answered slowly (injected fault)",
    );
    reply.trickle(200, { message: sendSucceeded(pid), status: 200 }, faults.trickleIntervalMs);
    return;
  }
  answer(context, reply, pid, 200, sendSucceeded(pid));
};

/** Applies this send's fault, if one keeps it from being sent; true when the request was dealt with. */
function injectFault(
  context: ApiContext,
  reply: ApiReply,
  pid: string,
  fault: SendFault | undefined,
): boolean {
  const faults = context.faults();
  switch (fault) {
    case undefined:
    case "trickle":
    case "gatewayTimeout":
      return false;
    case "reset":
    case "hang":
      context.logger.info(
        { guestPid: pid, fault },
        "simulator: send left unanswered (injected fault)",
      );
      if (fault === "reset") reply.reset();
      else reply.hang();
      return true;
    case "unavailable":
      answer(context, reply, pid, 503, UNAVAILABLE);
      return true;
    case "proxyError":
      context.logger.info({ guestPid: pid, fault }, "simulator: proxy error (injected fault)");
      reply.json(502, { status: 502, message: PROXY_ERROR });
      return true;
    case "throttle":
      answer(
        context,
        reply,
        pid,
        429,
        TOO_MANY_REQUESTS,
        {},
        {
          "Retry-After": String(faults.retryAfterSeconds),
        },
      );
      return true;
    case "fail":
      answer(context, reply, pid, 500, sendFailed(pid));
      return true;
  }
}

/** Logs the guest as `guestPid`: pino's own `pid` field is the process id. */
function answer(
  context: ApiContext,
  reply: ApiReply,
  pid: string | undefined,
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  context.logger.info({ guestPid: pid, status }, "simulator: send_user_credentials answered");
  reply.json(status, { message, ...extra, status }, headers);
}
