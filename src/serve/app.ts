import Fastify, { type FastifyInstance, type RouteOptions } from "fastify";
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { authenticateRequests } from "./authentication";
import { answerErrorsAsJson, errorAnswer } from "./error-answers";
import { registerIdempotency, resolveIdempotencySecret } from "./idempotency";
import { describeApi } from "./openapi";
import { limitRequestRate } from "./rate-limit";
import { AnsweredRequestLog } from "./request-log";
import type { RoutePlugin } from "./route-plugin";
import { ROUTE_PLUGINS } from "./routes";
import type { ServeDeps } from "./serve-deps";
import { observeServe } from "./serve-observability";
import { refuseWhileStopping } from "./stopping";

export interface AppOptions {
  /** The API's parts; ROUTE_PLUGINS unless a test or a benchmark wants others. */
  routes?: readonly RoutePlugin[];
  /** Told of every route as it is added, the documentation's own included (a test lists them). */
  onRoute?: (route: RouteOptions) => void;
}

/**
 * The HTTP API, not yet listening: JSON errors, API-key authentication, the per-key rate limit,
 * the OpenAPI document, then each route plugin. HTTPS when the configuration has a certificate.
 * Logs through the project's logger: never a body (Fastify logs none), never a header (its
 * request line has none; `authorization` is redacted by name besides).
 */
export async function buildApp(
  deps: ServeDeps,
  options: AppOptions = {},
): Promise<FastifyInstance> {
  const { serve } = deps.config;
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: "serve" }),
    bodyLimit: serve.bodyLimitBytes,
    // A job id leads with its batch id (up to 128 bytes of UTF-8, percent-encoded in a path).
    routerOptions: { maxParamLength: 1_024 },
    frameworkErrors: errorAnswer(serve.bodyLimitBytes),
    // Fastify's own 503 while closing is not in the API's error shape: refuseWhileStopping answers.
    return503OnClosing: false,
    logController: new AnsweredRequestLog(),
    ...(serve.tls ? { https: { cert: serve.tls.cert, key: serve.tls.key } } : {}),
  }) as unknown as FastifyInstance;
  if (options.onRoute) app.addHook("onRoute", options.onRoute);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  answerErrorsAsJson(app, serve.bodyLimitBytes);
  refuseWhileStopping(app, deps.lifecycle);
  authenticateRequests(app, deps.apiKeys);
  await limitRequestRate(app, {
    redis: deps.redis,
    keyPrefix: `${deps.config.redisKeyPrefix}:${deps.config.queue.name}:rate-limit:`,
    max: serve.rateLimit.max,
    windowMs: serve.rateLimit.windowMs,
  });
  registerIdempotency(app, {
    redis: deps.redis,
    keyPrefix: `${deps.config.redisKeyPrefix}:${deps.config.queue.name}`,
    secret: await resolveIdempotencySecret(deps.redis, deps.config.redisKeyPrefix, {
      configured: deps.config.producer.duplicateKeySecret,
      keyRing: deps.config.encryption.ring,
    }),
    ttlMs: deps.config.idempotency.ttlMs,
    logger: deps.logger,
  });
  // Before the probes and every route, so that the document describes them all.
  await describeApi(app);
  await observeServe(app, deps);
  const typed = app.withTypeProvider<ZodTypeProvider>();
  for (const plugin of options.routes ?? ROUTE_PLUGINS) await typed.register(plugin, deps);
  return app;
}
