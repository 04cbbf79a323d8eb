import Redis from "ioredis";
import type { RedisTarget } from "../config/redis-target";
import { tlsOptions } from "./connection";

/**
 * Whether a Redis answers PING at `target` within `timeoutMs`: one try, no reconnection, so a
 * missing Redis is a quick "no" rather than the endless retries a worker's connection makes.
 * A Redis that answers with an error (wrong password, say) counts as answering: the demo then
 * uses it and reports the error, rather than hiding it behind a private server.
 */
export async function redisAnswers(target: RedisTarget, timeoutMs = 1_500): Promise<boolean> {
  const redis = new Redis(target.url, {
    ...tlsOptions(target),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined); // the answer is the result, not an event
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch (error) {
    return isRedisReply(error);
  } finally {
    redis.disconnect();
  }
}

/** An error Redis itself sent (NOAUTH, WRONGPASS …), as opposed to no connection at all. */
function isRedisReply(error: unknown): boolean {
  return (error as { name?: string }).name === "ReplyError";
}
