import type { Queue } from "bullmq";
import type Redis from "ioredis";
import type { Logger } from "../logging/logger";

// KEYS[1] state hash. ARGV: code, initialMs, maxMs, memoryMs.
// While a pause is running nothing grows: the jobs that were in flight when the appliance went
// away all fail together, and must count as one failed probe, not as many.
const RECORD_UNAVAILABLE = `
local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)
local pausedUntil = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
local attempts = tonumber(redis.call('HGET', KEYS[1], 'attempts') or '0')
if now < pausedUntil then return {0, pausedUntil - now, attempts} end
local previous = redis.call('HGET', KEYS[1], 'code')
attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
local pause = math.floor(math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) * 2 ^ (attempts - 1)))
redis.call('HSET', KEYS[1], 'code', ARGV[1], 'pausedUntil', now + pause)
redis.call('HSETNX', KEYS[1], 'since', now)
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[4]), pause * 2))
local changed = 0
if previous ~= ARGV[1] then changed = 1 end
return {changed, pause, attempts}`;

// KEYS[1] state hash. Returns how long the fleet had been held back, or -1 if it was not.
const RECORD_RECOVERED = `
local since = redis.call('HGET', KEYS[1], 'since')
if not since then return -1 end
redis.call('DEL', KEYS[1])
local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)
return now - tonumber(since)`;

export interface FleetPauseOptions {
  queue: Queue;
  redis: Redis;
  keyPrefix: string;
  initialPauseMs: number;
  maxPauseMs: number;
  logger: Logger;
}

/**
 * Holds back every worker of the fleet, through BullMQ's queue-wide rate limit: while it runs no
 * worker fetches a job, and the job that hit the condition goes back to waiting without using an
 * attempt. After the pause, the next jobs fetched are the probes.
 */
export class FleetPause {
  readonly #options: FleetPauseOptions;
  readonly #stateKey: string;
  #sawUnavailable = false;
  #throttledUntil = 0;

  constructor(options: FleetPauseOptions) {
    this.#options = options;
    this.#stateKey = `${options.keyPrefix}:appliance-unavailable`;
  }

  /** The appliance asked to slow down (429): everyone waits for its Retry-After. */
  async throttle(retryAfterMs: number): Promise<void> {
    const now = Date.now();
    if (now >= this.#throttledUntil) {
      this.#options.logger.warn(
        { retryAfterMs },
        "AxelNAC asked to slow down (429): all workers pause",
      );
    }
    this.#throttledUntil = Math.max(this.#throttledUntil, now + retryAfterMs);
    await this.#options.queue.rateLimit(retryAfterMs);
  }

  /**
   * The appliance cannot serve anyone (down, login rejected, role missing): pause with a cool-down
   * that doubles at each failed probe. Returns the pause in ms.
   */
  async unavailable(error: { code: string; message: string }, atLeastMs = 0): Promise<number> {
    const { redis, initialPauseMs, maxPauseMs, logger, queue } = this.#options;
    this.#sawUnavailable = true;
    const [changed, pauseMs, attempts] = (await redis.eval(
      RECORD_UNAVAILABLE,
      1,
      this.#stateKey,
      error.code,
      initialPauseMs,
      maxPauseMs,
      Math.max(3_600_000, maxPauseMs * 4),
    )) as [number, number, number];
    const pause = Math.max(Number(pauseMs), atLeastMs);
    if (changed === 1) {
      logger.error(
        { code: error.code, pauseMs: pause },
        `AxelNAC unavailable to every job (${error.message}): all workers pause and probe again with a growing cool-down; no job is failed for this`,
      );
    } else {
      logger.debug(
        { code: error.code, pauseMs: pause, probes: Number(attempts) },
        "AxelNAC still unavailable",
      );
    }
    await queue.rateLimit(pause);
    return pause;
  }

  /** A delivery went through: if this process had seen the appliance unavailable, say it is back. */
  async deliveredOnce(): Promise<void> {
    if (!this.#sawUnavailable) return;
    this.#sawUnavailable = false;
    const downMs = Number(await this.#options.redis.eval(RECORD_RECOVERED, 1, this.#stateKey));
    if (downMs >= 0) {
      this.#options.logger.info({ downMs }, "AxelNAC available again: deliveries resume");
    }
  }
}
