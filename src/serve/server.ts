import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import type { Config } from "../config/config";
import { describeQueueTarget } from "../config/queue-target";
import type { Logger } from "../logging/logger";
import { connectRedis, ONE_SHOT_REDIS_TIMEOUT_MS } from "../redis/connection";
import { openQueue } from "../redis/queue";
import { type AppOptions, buildApp } from "./app";
import { type ServeDeps, serveDepsOn } from "./serve-deps";

export interface RunningServer {
  app: FastifyInstance;
  deps: ServeDeps;
  /** Where it listens: `http://127.0.0.1:8080`, or `https://…` with a certificate. */
  url: string;
  /**
   * Sets `stopping` (/readyz answers 503, API requests 503 SERVER_STOPPING), keeps listening for
   * SERVE_SHUTDOWN_DELAY so that balancers see it, then stops accepting, lets the requests in
   * flight finish, and closes Redis.
   */
  stop(): Promise<void>;
}

/**
 * `serve`: the HTTP API listening on SERVE_HOST:SERVE_PORT, on one Redis connection of its own.
 * A Redis command unanswered within 10 s fails (the request gets 503 COURIER_REDIS_UNREACHABLE)
 * rather than holding the client while Redis is away; the connection itself keeps reconnecting.
 */
export async function startServer(
  config: Config,
  logger: Logger,
  options: AppOptions = {},
): Promise<RunningServer> {
  const redis = connectRedis(config.redis, logger, "serve", {
    commandTimeoutMs: ONE_SHOT_REDIS_TIMEOUT_MS,
  });
  const queue = openQueue(config.queue, redis, logger);
  try {
    const deps = await serveDepsOn(config, logger, redis, queue);
    const app = await buildApp(deps, options);
    const url = await app.listen({ host: config.serve.host, port: config.serve.port });
    logger.info(
      { url, tls: config.serve.tls !== undefined, target: describeQueueTarget(config) },
      `HTTP API listening on ${url}`,
    );
    let stopped: Promise<void> | undefined;
    const stop = () => {
      deps.lifecycle.stopping = true;
      const delay = config.serve.shutdownDelayMs;
      // No delay: the listener closes now, not a tick later, so no new connection slips in.
      stopped ??= (delay > 0 ? sleep(delay).then(() => app.close()) : app.close()).finally(
        async () => {
          await queue.close();
          redis.disconnect();
        },
      );
      return stopped;
    };
    return { app, deps, url, stop };
  } catch (error) {
    await queue.close().catch(() => undefined);
    redis.disconnect();
    throw error;
  }
}
