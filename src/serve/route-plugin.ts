import type { FastifyPluginAsync, RawServerBase } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { ServeDeps } from "./serve-deps";

/**
 * A part of the HTTP API, `async (app, deps) => …`: its routes (each with `config: { scope }`
 * unless it is public) and the hooks of its routes; its schemas are zod schemas. buildApp
 * registers it as a Fastify plugin with the deps as its options, in a context of its own, after
 * authentication, the rate limit and the OpenAPI document, so that all three see its routes. A
 * plugin whose hooks must reach other plugins' routes (an Idempotency-Key store) is wrapped in
 * fastify-plugin, and listed before them.
 */
export type RoutePlugin = FastifyPluginAsync<ServeDeps, RawServerBase, ZodTypeProvider>;

/** The app as a route plugin sees it. */
export type ServeApp = Parameters<RoutePlugin>[0];
