/**
 * GET /metrics (Prometheus text), /livez and /readyz, as a Fastify plugin: the worker serves it
 * on a small server of its own (METRICS_PORT), and any other HTTP server of the courier can
 * mount it as it is. It needs nothing but a registry and a readiness.
 */
import type { FastifyPluginAsync } from "fastify";
import type { Registry } from "prom-client";
import type { Readiness } from "./readiness";

export interface ObservabilityRoutesOptions {
  registry: Registry;
  readiness: Readiness;
  /** Each route's Fastify `config` (`serve` exempts them from its rate limit). */
  routeConfig?: Record<string, unknown>;
}

export const observabilityRoutes: FastifyPluginAsync<ObservabilityRoutesOptions> = async (
  app,
  { registry, readiness, routeConfig = {} },
) => {
  const config = routeConfig;
  app.get("/metrics", { config }, async (_request, reply) => {
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });

  // The process answers: nothing else is checked, so an outage elsewhere never gets it restarted.
  app.get("/livez", { config }, async (_request, reply) => {
    reply.header("cache-control", "no-store");
    return { status: "alive", checks: { process: "answering" } };
  });

  app.get("/readyz", { config }, async (_request, reply) => {
    const { ready, checks } = await readiness.check();
    reply.code(ready ? 200 : 503).header("cache-control", "no-store");
    return { status: ready ? "ready" : "not ready", checks };
  });
};
