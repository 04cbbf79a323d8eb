import Redis, { type RedisOptions } from "ioredis";
import type { RedisTarget } from "../config/redis-target";
import type { Logger } from "../logging/logger";

export interface ConnectionOptions {
  /**
   * A command not answered within it fails ("Command timed out"): for one-shot commands, which
   * must end rather than wait for ever for a Redis that stalls. A worker's connection has none.
   */
  commandTimeoutMs?: number;
}

/**
 * A Redis connection that survives Redis going away: it reconnects with a growing delay (capped
 * at 5 s) and says so once per change of state, not once per attempt.
 * `maxRetriesPerRequest: null` is what BullMQ requires of a worker's connection: commands wait
 * for the reconnection instead of failing.
 * BullMQ's own connections (a worker's blocking one) are duplicates of it, with the same user and TLS.
 */
export function connectRedis(
  target: RedisTarget,
  logger: Logger,
  name: string,
  options: ConnectionOptions = {},
): Redis {
  const { url } = target;
  const redis = new Redis(url, {
    ...tlsOptions(target),
    connectionName: `axelnac-courier:${name}`,
    maxRetriesPerRequest: null,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 6), 5_000),
  });
  let down = false;
  redis.on("error", (error: NodeJS.ErrnoException) => {
    if (down) return;
    down = true;
    logger.error(
      { redis: redactRedisUrl(url), code: error.code },
      `Redis unreachable (${error.message}); reconnecting`,
    );
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    logger.info({ redis: redactRedisUrl(url) }, "Redis reachable again");
  });
  return redis;
}

/**
 * The TLS options of a `rediss://` target. ioredis reads user, password and `rediss://` from the
 * URL itself; the CA and client certificate come from the files. Nothing here relaxes
 * verification: Redis' certificate must chain to the CA and name the URL's host.
 */
export function tlsOptions(target: RedisTarget): Pick<RedisOptions, "tls"> {
  if (!target.tls) return {};
  const { ca, cert, key } = target.tls;
  return { tls: { ca, cert, key } };
}

/** A Redis URL may carry a password: never log it. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<invalid REDIS_URL>";
  }
}

/** How long a one-shot command waits for Redis before it says Redis is unreachable. */
export const ONE_SHOT_REDIS_TIMEOUT_MS = 10_000;

/** For one-shot commands: an answer within `timeoutMs`, rather than waiting for Redis forever. */
export function whenRedisReady(redis: Redis, timeoutMs: number, url: string): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off("ready", onReady);
      reject(
        Object.assign(
          new Error(`Redis at ${redactRedisUrl(url)} is not reachable (waited ${timeoutMs} ms)`),
          { code: "COURIER_REDIS_UNREACHABLE" },
        ),
      );
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once("ready", onReady);
  });
}
