import type { FastifyRequest } from "fastify";

/**
 * The route a request matched, as a pattern (`/v1/deliveries/:id`), never its path, which holds a
 * job or batch id; every unknown path under one name. The request log and the request metrics
 * name routes alike, so that a log line and a metric series can be matched.
 */
export function routeName(request: FastifyRequest): string {
  return request.routeOptions.url ?? "unmatched";
}
