import type { FastifyInstance } from "fastify";
import type { RoutePlugin } from "../route-plugin";
import { batchRoutes } from "./batch-routes";
import { deliveryRoutes } from "./delivery-routes";

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

/** Every part of the HTTP API, in the order buildApp registers them: add a new one here. */
export const ROUTE_PLUGINS: readonly RoutePlugin[] = [deliveryRoutes, servedBatchRoutes];
