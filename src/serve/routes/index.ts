import type { FastifyInstance } from "fastify";
import type { RoutePlugin } from "../route-plugin";
import { batchRoutes } from "./batch-routes";
import { deliveryRoutes } from "./delivery-routes";
import { registrationRoutes } from "./registration-routes";

/** The batch routes on `serve`'s connection, queue and producer. */
const servedBatchRoutes: RoutePlugin = async (app, deps) =>
  batchRoutes(app as unknown as FastifyInstance, {
    config: deps.config,
    logger: deps.logger,
    redis: deps.redis,
    queue: deps.queue,
    keys: deps.batchKeys,
    producer: deps.producer,
  });

/**
 * The registrations route on `serve`'s queue, its writes bounded by the connection's command
 * timeout; a body limit other than UPLOAD_LIMIT_BYTES for a test.
 */
export function servedRegistrationRoutes(uploadLimitBytes?: number): RoutePlugin {
  return async (app, deps) =>
    registrationRoutes(app as unknown as FastifyInstance, {
      config: deps.config,
      logger: deps.logger,
      queue: deps.queue,
      keys: deps.batchKeys,
      ...(uploadLimitBytes === undefined ? {} : { uploadLimitBytes }),
    });
}

/** Every part of the HTTP API, in the order buildApp registers them: add a new one here. */
export const ROUTE_PLUGINS: readonly RoutePlugin[] = [
  deliveryRoutes,
  servedBatchRoutes,
  servedRegistrationRoutes(),
];
