import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import { request } from "undici";
import type { Config } from "../../src/config/config";
import type { Logger } from "../../src/logging/logger";
import { ApiError } from "../../src/serve/api-error";
import { batchRoutesLimitedTo } from "../../src/serve/routes/batch-routes";
import { UPLOAD_LIMIT_BYTES } from "../../src/serve/routes/batch-upload-body";
import type { AuthenticatedKey } from "../../src/serve/scopes";
import { serveDepsOn } from "../../src/serve/serve-deps";
import { connectOperator, type OperatorConnections } from "../../src/wiring/operator";

export interface BatchAppOptions {
  /** Every request's and the routes' logger (captureLog's, to read back). */
  logger: Logger;
  /** The key every request is taken to come with. */
  apiKey?: AuthenticatedKey;
  uploadLimitBytes?: number;
}

export interface BatchApp {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  app: FastifyInstance;
  operator: OperatorConnections;
  close(): Promise<void>;
}

export const TEST_API_KEY: AuthenticatedKey = {
  id: "key-batch-tests",
  name: "batch tests",
  scopes: ["batches:write", "batches:read"],
};

/**
 * The batch routes on a small Fastify app of their own, listening on 127.0.0.1, port 0: the zod
 * compilers, the OpenAPI document generated from the routes' schemas, a stand-in for the
 * authentication hook (it sets request.apiKey and refuses a route whose scope the key lacks) and
 * for the API's error handler (ApiError and validation errors as `{"error": {code, message}}`).
 * The one place the tests build the app, so that the real one can take its place.
 */
export async function startBatchApp(config: Config, options: BatchAppOptions): Promise<BatchApp> {
  const { logger } = options;
  const operator = await connectOperator(config, logger);
  const deps = await serveDepsOn(config, logger, operator.redis, operator.queue);
  const app: FastifyInstance = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(fastifySwagger, {
    openapi: { openapi: "3.1.0", info: { title: "axelnac-courier (batch routes)", version: "1" } },
    transform: jsonSchemaTransform,
  });
  const apiKey = options.apiKey ?? TEST_API_KEY;
  // As the real authentication: the key, and the scope the route names in its config.
  app.addHook("onRequest", async (request) => {
    request.apiKey = apiKey;
    const { scope } = request.routeOptions.config;
    if (scope !== undefined && !apiKey.scopes.includes(scope)) {
      throw new ApiError(403, "API_KEY_SCOPE", `this API key lacks the scope ${scope}`);
    }
  });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) return reply.code(error.statusCode).send(error.toBody());
    if (hasZodFastifySchemaValidationErrors(error)) {
      return reply.code(400).send(new ApiError(400, "API_REQUEST_INVALID", error.message).toBody());
    }
    const {
      statusCode = 500,
      code = "API_INTERNAL",
      message,
    } = error as {
      statusCode?: number;
      code?: string;
      message: string;
    };
    if (statusCode >= 500) request.log.error({ err: error }, "request failed");
    const said = statusCode >= 500 ? "internal error" : message;
    return reply.code(statusCode).send(new ApiError(statusCode, code, said).toBody());
  });
  const routes = batchRoutesLimitedTo(options.uploadLimitBytes ?? UPLOAD_LIMIT_BYTES);
  await app.register(routes as unknown as Parameters<typeof app.register>[0], deps);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    operator,
    close: async () => {
      await app.close();
      await operator.close();
    },
  };
}

export interface ApiAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as received, to scan for secrets. */
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whichever fields it asserts on
  json: any;
}

/** One request through undici; the body read whole, parsed when it is JSON. */
export async function apiRequest(
  base: string,
  method: "GET" | "POST",
  path: string,
  options: {
    body?: string | Buffer | Readable;
    headers?: Record<string, string>;
  } = {},
): Promise<ApiAnswer> {
  const answer = await request(`${base}${path}`, {
    method,
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await answer.body.text();
  const isJson = String(answer.headers["content-type"] ?? "").startsWith("application/json");
  return {
    status: answer.statusCode,
    headers: answer.headers,
    text,
    json: isJson ? JSON.parse(text) : undefined,
  };
}

/** POST /v1/batches with `csv` as a text/csv body. */
export function uploadCsv(
  base: string,
  csv: string | Buffer | Readable,
  query: Record<string, string> = {},
  contentType = "text/csv",
): Promise<ApiAnswer> {
  const search = new URLSearchParams(query).toString();
  return apiRequest(base, "POST", `/v1/batches${search ? `?${search}` : ""}`, {
    body: csv,
    headers: { "content-type": contentType },
  });
}
