import type { Config } from "../config/config";
import { formatDuration } from "../config/duration";
import type { Logger } from "../logging/logger";
import {
  connectRedis,
  ONE_SHOT_REDIS_TIMEOUT_MS,
  redactRedisUrl,
  whenRedisReady,
} from "../redis/connection";
import { evictionProblem } from "../redis/eviction-policy";
import type { LoginFailure, StoredToken } from "../token";
import type { Appliance } from "../wiring/appliance";
import { fleetTokenStore } from "../wiring/fleet-token";

/** What one part of `check` found: lines for stdout, and the failures that make it exit 1. */
export interface CheckFindings {
  lines: string[];
  failures: unknown[];
}

/**
 * Whether Redis answers and keeps every key (maxmemory-policy noeviction), and the fleet's token
 * there, read only: `check` neither stores, touches
 * nor discards it, nor takes the refresh lock. Every wait is bounded: the connection by
 * ONE_SHOT_REDIS_TIMEOUT_MS, each command by the same.
 */
export async function checkRedis(
  config: Config,
  appliance: Pick<Appliance, "credentials" | "url">,
  logger: Logger,
): Promise<CheckFindings> {
  const { url } = config.redis;
  const redis = connectRedis(config.redis, logger, "check", {
    commandTimeoutMs: ONE_SHOT_REDIS_TIMEOUT_MS,
  });
  try {
    await whenRedisReady(redis, ONE_SHOT_REDIS_TIMEOUT_MS, url);
    const store = fleetTokenStore(config, redis, appliance);
    const [info, token, held] = await Promise.all([
      redis.info("memory"),
      store.read(),
      store.readLoginFailure(),
    ]);
    const eviction = evictionProblem(info, redactRedisUrl(url));
    const lines = [
      ...(eviction ? [] : [`ok: Redis at ${redactRedisUrl(url)} answers`]),
      describeFleetToken(token),
    ];
    if (held) lines.push(describeHeldBack(held));
    return { lines, failures: eviction ? [eviction] : [] };
  } catch (error) {
    return { lines: [], failures: [asRedisFailure(error, url)] };
  } finally {
    redis.disconnect();
  }
}

function describeFleetToken(token: StoredToken | undefined): string {
  if (!token) return "fleet token: none in Redis (the first worker that needs one logs in)";
  if ("unreadable" in token) {
    return `fleet token: in Redis, but this JOB_ENCRYPTION_KEYS cannot open it (${token.unreadable}); a worker with the same ring would log in again`;
  }
  return `fleet token: shared in Redis, ${formatDuration(token.ttlMs, "remaining")} left`;
}

function describeHeldBack(failure: LoginFailure): string {
  const more = formatDuration(failure.retryInMs, "remaining");
  return `fleet logins: AXELNAC_LOGIN_BACKOFF: held back ${more} more after ${failure.attempts} failed attempt(s): ${failure.code}: ${failure.message}`;
}

/** A command that timed out is Redis not answering; any other error keeps its own code. */
function asRedisFailure(error: unknown, url: string): unknown {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string") return error;
  if (message === "Command timed out") {
    return {
      code: "COURIER_REDIS_UNREACHABLE",
      message: `Redis at ${redactRedisUrl(url)} did not answer within ${ONE_SHOT_REDIS_TIMEOUT_MS / 1_000} s`,
    };
  }
  return { code: "COURIER_INTERNAL_ERROR", message: `Redis at ${redactRedisUrl(url)}: ${message}` };
}
