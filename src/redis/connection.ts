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
  // Said once per change of state, not once per reconnection attempt. A refusal of the
  // credentials is a problem of its own, said even while Redis was already reported unreachable;
  // once refused, the errors of the reconnections it causes say nothing new until Redis is ready.
  let down: "unreachable" | "refused" | undefined;
  redis.on("error", (error: NodeJS.ErrnoException) => {
    const refused = isAuthRefusal(error);
    const state = refused ? "refused" : "unreachable";
    if (down === state || (down === "refused" && !refused)) return;
    down = state;
    if (refused) {
      logger.error(
        { redis: redactRedisUrl(url), code: REDIS_AUTH_REFUSED },
        `Redis refused the credentials of REDIS_URL (${refusalReply(error)}): check its user and password; retrying`,
      );
      return;
    }
    logger.error(
      { redis: redactRedisUrl(url), code: error.code },
      `Redis unreachable (${error.message}); reconnecting`,
    );
  });
  redis.on("ready", () => {
    if (!down) return;
    down = undefined;
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

const REDIS_AUTH_REFUSED = "COURIER_REDIS_AUTH_REFUSED";

/**
 * Redis' answers to credentials it does not accept: WRONGPASS (a wrong user or password), NOAUTH
 * (none given where one is needed), and Redis 5's "invalid password". ioredis reports a refusal
 * met by its ready check as "Ready check failed: NOAUTH …".
 */
const AUTH_REFUSAL = /\b(WRONGPASS|NOAUTH)\b|^ERR invalid password/;

export function isAuthRefusal(error: Error): boolean {
  return AUTH_REFUSAL.test(error.message);
}

/** Redis' own words, without the prefix ioredis adds. */
function refusalReply(error: Error): string {
  return error.message.replace(/^Ready check failed: /, "");
}

/** How long a one-shot command waits for Redis before it says Redis is unreachable. */
export const ONE_SHOT_REDIS_TIMEOUT_MS = 10_000;

/**
 * For one-shot commands: an answer within `timeoutMs`, rather than waiting for Redis forever;
 * at once when Redis refuses the credentials, which no wait mends.
 */
export function whenRedisReady(redis: Redis, timeoutMs: number, url: string): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      redis.off("error", onError);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () =>
        settle(
          Object.assign(
            new Error(`Redis at ${redactRedisUrl(url)} is not reachable (waited ${timeoutMs} ms)`),
            { code: "COURIER_REDIS_UNREACHABLE" },
          ),
        ),
      timeoutMs,
    );
    const onReady = () => settle();
    const onError = (error: Error) => {
      if (!isAuthRefusal(error)) return;
      settle(
        Object.assign(
          new Error(
            `Redis at ${redactRedisUrl(url)} refused the credentials of REDIS_URL (${refusalReply(error)})`,
          ),
          { code: REDIS_AUTH_REFUSED },
        ),
      );
    };
    redis.once("ready", onReady);
    redis.on("error", onError);
  });
}
