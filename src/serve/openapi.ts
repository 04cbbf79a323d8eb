import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance, FastifySchema, RouteOptions } from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import { z } from "zod";

/** Where the OpenAPI document and its browsable page are served. */
export const OPENAPI_PATH = "/openapi.json";
export const DOCS_PREFIX = "/docs";

/** The body of every error answer, as src/serve/api-error.ts writes it. */
export const apiErrorBodySchema = z.object({
  error: z.object({
    code: z.string().describe("Stable code to branch on: README, “HTTP API (serve)”"),
    message: z.string().describe("A sentence for people; never quotes a password or key"),
    details: z.unknown().optional().describe("What is wrong, field by field, when it helps"),
  }),
});

/** The errors any route that needs an API key may answer, besides its own. */
const KEYED_ROUTE_ERRORS = [400, 401, 403, 429, 500, 503] as const;

/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas (fastify-type-provider-zod),
 * served at /openapi.json and browsable at /docs. A route that needs a key is marked with the
 * bearer scheme, and its common error answers are listed. Registered before the routes: the
 * document is built from the routes registered after it.
 */
export async function describeApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "axelnac-courier HTTP API",
        description:
          "Hand the courier guests whose Wi-Fi credentials it delivers by SMS, and learn what became of each delivery.",
        version: "1.0.0",
      },
      components: {
        securitySchemes: {
          bearer: {
            type: "http",
            scheme: "bearer",
            description: "An API key, as `axelnac-courier api-keys create` printed it",
          },
        },
      },
    },
    transform: ({ schema, url, route, ...document }) =>
      jsonSchemaTransform({
        schema: withKeyedRouteErrors(schema, route),
        url,
        route,
        ...document,
      } as Parameters<typeof jsonSchemaTransform>[0]),
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: true });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}

function withKeyedRouteErrors(schema: FastifySchema | undefined, route: RouteOptions) {
  if (!schema || !route.config?.scope) return schema;
  const response = { ...(schema.response as Record<string, unknown> | undefined) };
  for (const status of KEYED_ROUTE_ERRORS) response[status] ??= apiErrorBodySchema;
  return { ...schema, response, security: [{ bearer: [] }] };
}
