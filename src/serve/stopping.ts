import type { FastifyInstance } from "fastify";
import { apiError } from "./api-error-codes";
import type { ServeLifecycle } from "./serve-deps";

/**
 * Once `serve` is stopping, a new request to the API (a route that needs a key) that still
 * arrives on an open connection is refused, 503 SERVER_STOPPING with `Connection: close`, so the
 * client retries on another instance; requests already in flight finish. Public routes (health
 * checks, docs) keep answering: `/readyz` says it is stopping in its own words.
 */
export function refuseWhileStopping(app: FastifyInstance, lifecycle: ServeLifecycle): void {
  app.addHook("onRequest", async (request, reply) => {
    if (!lifecycle.stopping || !request.routeOptions.config?.scope) return;
    reply.header("connection", "close");
    throw apiError("SERVER_STOPPING", "this server is shutting down: send the request again");
  });
}
