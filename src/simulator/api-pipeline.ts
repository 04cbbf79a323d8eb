import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { type ApiContext, ApiReply } from "./api-context";
import type { ConcurrencyGate } from "./gate";
import { BodyTooLargeError, readBody } from "./http-io";
import { routeApiRequest } from "./routes/api-router";

/**
 * One API request from arrival to answer: read the body, wait for a turn at the gate, spend the
 * configured latency while holding it, then route. The turn and the in-flight count end when the
 * response closes, whether answered, reset, or abandoned by the client.
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

  try {
    const release = await gate.acquire(gone.signal);
    if (gone.signal.aborted) release();
    else res.once("close", release);
    const { latencyMs } = context.faults();
    if (latencyMs > 0) await sleep(latencyMs, undefined, { signal: gone.signal });
  } catch {
    return; // the client left while waiting: nobody to answer
  }

  try {
    routeApiRequest(
      context,
      {
        method: req.method ?? "GET",
        pathname: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      },
      reply,
    );
  } catch (error) {
    context.logger.error({ err: error, path: url.pathname }, "simulator: handler failed");
    reply.json(500, { message: "Simulator internal error", status: 500 });
  }
}
