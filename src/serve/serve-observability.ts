import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { METRIC_PREFIX } from "../metrics/courier-metrics";
import { observabilityRoutes } from "../metrics/observability-routes";
import { registerQueueGauges } from "../metrics/queue-gauges";
import { queueReading } from "../metrics/queue-reading";
import { createReadiness, redisAnswers } from "../metrics/readiness";
import { routeName } from "./route-name";
import type { ServeDeps } from "./serve-deps";

/** An API request takes a Redis round trip or a few; a batch upload may take many seconds. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30];

/**
 * `serve`'s /metrics, /livez and /readyz, as the worker serves them (src/metrics): Node's
 * metrics, the queue's depth and the fleet pause, and the API's requests by route pattern (never
 * a path: a path holds a job or batch id). Ready while Redis answers and until `serve` is asked to
 * stop. A probe needs no key, and a scrape does not spend a client's quota (no rate limit).
 */
export async function observeServe(app: FastifyInstance, deps: ServeDeps): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerQueueGauges(
    registry,
    queueReading(deps.config, () => deps),
  );
  const requests = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: "HTTP API requests answered, by method, route pattern and status",
    labelNames: ["method", "route", "status"],
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = routeName(request);
    requests.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1_000,
    );
  });
  const readiness = createReadiness(
    { redis: redisAnswers(() => deps.redis) },
    undefined,
    () => deps.lifecycle.stopping,
  );
  await app.register(observabilityRoutes, {
    registry,
    readiness,
    routeConfig: { rateLimit: false },
  });
}
