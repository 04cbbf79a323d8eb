import { forTerminal } from "../logging/terminal-text";
import type { Config } from "./config";

/** BullMQ's own key prefix: the one a queue has when QUEUE_PREFIX is not set. */
const DEFAULT_QUEUE_PREFIX = "bull";

/**
 * Which Redis and which queue a command works on, as one line for a person:
 * `redis 127.0.0.1:6379 db 0 (no TLS), queue axelnac-credentials`. A command that silently read
 * the wrong Redis (a default, a forgotten .env) looks like an empty queue; this line says so.
 * Never the user name or the password of REDIS_URL.
 */
export function describeQueueTarget(config: Config): string {
  const prefix =
    config.queue.prefix === DEFAULT_QUEUE_PREFIX ? "" : `, prefix ${config.queue.prefix}`;
  return `redis ${describeRedis(config.redis.url)}, queue ${config.queue.name}${prefix}`;
}

/**
 * `host:port db N (TLS)` from REDIS_URL, read as ioredis reads it: the database from the path,
 * else from a `db` query parameter, else 0; the port 6379 when none is written.
 */
export function describeRedis(redisUrl: string): string {
  const url = new URL(redisUrl);
  const port = url.port === "" ? "6379" : url.port;
  const fromPath = url.pathname.length > 1 ? url.pathname.slice(1) : undefined;
  const db = fromPath ?? url.searchParams.get("db") ?? "0";
  const tls = url.protocol === "rediss:" ? "TLS" : "no TLS";
  // The URL is the operator's, yet a host name from a copied file may still hold escapes.
  return forTerminal(`${url.hostname}:${port} db ${db} (${tls})`);
}
