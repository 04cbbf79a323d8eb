import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { type ApiContext, ApiReply, type ApiRequest } from "./api-context";
import { frontEnd } from "./front-end";
import type { ConcurrencyGate } from "./gate";
import { BodyTooLargeError, readBody } from "./http-io";
import { routeApiRequest } from "./routes/api-router";

/**
 * One API request from arrival to answer, through the appliance's two layers: the front end
 * answers login, token_info and refusals itself after the configured latency; what it lets
 * through waits for a turn at the gate (the API workers), spends the latency holding it, then is
 * routed. The turn and the in-flight count end when the response closes, whether answered,
 * reset, or abandoned by the client.
 */
export async function serveApiRequest(
  context: ApiContext,
  gate: ConcurrencyGate,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  context.stats.received();
  const gone = new AbortController();
  res.once("close", () => {
    context.stats.answered();
    gone.abort();
  });
  const reply = new ApiReply(res, context.stats);

  let body: string;
  try {
    body = await readBody(req);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      reply.json(413, { message: "Request body too large", status: 413 });
    }
    return;
  }
  const request: ApiRequest = {
    method: req.method ?? "GET",
    pathname: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body,
  };

  const decision = frontEnd(context, request);
  try {
    if ("forward" in decision) {
      const release = await gate.acquire(gone.signal);
      if (gone.signal.aborted) release();
      else res.once("close", release);
    }
    const { latencyMs } = context.faults();
    if (latencyMs > 0) await sleep(latencyMs, undefined, { signal: gone.signal });
  } catch {
    return; // the client left while waiting: nobody to answer
  }

  try {
    const handler = "answer" in decision ? decision.answer : routeApiRequest;
    handler(context, request, reply);
  } catch (error) {
    context.logger.error({ err: error, path: url.pathname }, "simulator: handler failed");
    reply.json(500, { message: "Simulator internal error", status: 500 });
  }
}
