import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type Redis from "ioredis";
import type { Logger } from "../logging/logger";
import { NOW_MS } from "../redis/lua";
import { settlesWithin } from "./settles-within";

/**
 * Which worker processes serve a queue, for `status`. BullMQ can tell (`Queue.getWorkers`, from
 * `CLIENT LIST` and the names of the workers' connections), but the README's ACL user may not run
 * CLIENT LIST, which shows every client of the server: each worker says instead, once a second,
 * that it is there, in a sorted set of the courier's own (`<prefix>:<queue>:workers`, member a
 * process id, score the time by Redis' clock). One small write a second per process, whatever
 * the number of jobs; gone with the process on a clean stop, stale after PRESENCE_WINDOW_MS
 * otherwise.
 */
export function workersKey(keyPrefix: string, queueName: string): string {
  return `${keyPrefix}:${queueName}:workers`;
}

/** How recently a worker must have said it is there to count: a few missed beats of a busy loop. */
export const PRESENCE_WINDOW_MS = 5_000;

// KEYS[1] the set. ARGV: the member, the window (ms). Also drops members long gone (killed).
const BEAT = `
${NOW_MS}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 12 * tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], 12 * tonumber(ARGV[2]))
return 1`;

// KEYS[1] the set. ARGV: the window (ms). Reads only.
const COUNT = `
${NOW_MS}
return redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[1]), '+inf')`;

/** Says, once a second until stopped, that this worker process serves the queue. */
export class WorkerPresence {
  readonly #member = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #timer: NodeJS.Timeout;
  /** A beat still unanswered (Redis away): the next ones are skipped rather than queued up. */
  #beating = false;

  constructor(
    readonly redis: Redis,
    readonly key: string,
    readonly logger: Logger,
    intervalMs = 1_000,
  ) {
    this.#timer = setInterval(() => void this.beat(), intervalMs);
    this.#timer.unref();
  }

  async beat(): Promise<void> {
    if (this.#beating) return;
    this.#beating = true;
    try {
      await this.redis.eval(BEAT, 1, this.key, this.#member, PRESENCE_WINDOW_MS);
    } catch (error) {
      // Redis trouble is reported by the connection; status reads the worker as gone meanwhile.
      this.logger.debug({ err: error }, "worker presence not written");
    } finally {
      this.#beating = false;
    }
  }

  /**
   * Stops saying it; the worker is no longer counted at once. Waits for Redis a second at most:
   * a stop must end whatever Redis does, and the worker is not counted past the window anyway.
   */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await settlesWithin(this.redis.zrem(this.key, this.#member), 1_000).catch(() => undefined);
  }
}

/** How many worker processes have said they serve the queue within PRESENCE_WINDOW_MS. */
export async function countWorkers(redis: Redis, key: string): Promise<number> {
  return Number(await redis.eval(COUNT, 1, key, PRESENCE_WINDOW_MS));
}
