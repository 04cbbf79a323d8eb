import { type FastifyReply, type FastifyRequest, LogController } from "fastify";
import { routeName } from "./route-name";

/**
 * One log line per answered request, instead of Fastify's two (one as it comes, one as it is
 * answered): each line costs a write, and the first says nothing the second does not. The line
 * names the route pattern beside the path, the answer's status, how long it took and the API key
 * that asked; never a body or a header (the path and query string are as Fastify logged them).
 * Fastify's other lines (errors, a stream cut short) are its own, unchanged.
 */
export class AnsweredRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const answered = {
      method: request.method,
      url: request.url,
      route: routeName(request),
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 10) / 10,
      ...(request.apiKey ? { apiKey: request.apiKey.id } : {}),
    };
    if (error) request.log.error({ ...answered, err: error }, "request errored");
    else request.log.info(answered, "request answered");
  }
}
