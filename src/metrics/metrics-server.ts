import Fastify from "fastify";
import type { Registry } from "prom-client";
import { observabilityRoutes } from "./observability-routes";
import type { Readiness } from "./readiness";

export interface ObservabilityServer {
  /** e.g. http://127.0.0.1:9464 */
  url: string;
  close(): Promise<void>;
}

/**
 * A small HTTP server of its own for /metrics, /livez and /readyz: the worker has no other HTTP
 * side. It logs no request: a scrape every few seconds would drown the worker's own lines.
 */
export async function startObservabilityServer(options: {
  host: string;
  port: number;
  registry: Registry;
  readiness: Readiness;
}): Promise<ObservabilityServer> {
  const app = Fastify({ logger: false });
  await app.register(observabilityRoutes, {
    registry: options.registry,
    readiness: options.readiness,
  });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    const { code, message } = error as NodeJS.ErrnoException;
    throw new Error(
      `cannot serve metrics on ${options.host}:${options.port} (METRICS_HOST, METRICS_PORT): ${code ?? message}`,
    );
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
