import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { formatDuration } from "../config/duration";
import type { Logger } from "../logging/logger";
import { doublingDelay, NOW_MS } from "../redis/lua";
import { failureCause } from "./failure-cause";
import { fleetPauseKey, type PauseCause, recordFleetPause } from "./fleet-pause-record";

// KEYS[1] state hash. ARGV: code, initialMs, maxMs, memoryMs, message. Returns {changed, pause,
// attempts}: changed is 1 when the code or the message differs from the last report, pause or not.
// While a pause is running nothing grows: the jobs that were in flight when the appliance went
// away all fail together, and must count as one failed probe, not as many.
const RECORD_UNAVAILABLE = `
${NOW_MS}
local pausedUntil = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
local attempts = tonumber(redis.call('HGET', KEYS[1], 'attempts') or '0')
local previous = redis.call('HMGET', KEYS[1], 'code', 'message')
local changed = 0
if previous[1] ~= ARGV[1] or previous[2] ~= ARGV[5] then changed = 1 end
redis.call('HSET', KEYS[1], 'code', ARGV[1], 'message', ARGV[5])
if now < pausedUntil then return {changed, pausedUntil - now, attempts} end
attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
${doublingDelay("pause", "ARGV[2]", "ARGV[3]")}
redis.call('HSET', KEYS[1], 'pausedUntil', now + pause)
redis.call('HSETNX', KEYS[1], 'since', now)
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[4]), pause * 2))
return {changed, pause, attempts}`;

// KEYS[1] state hash. Returns how long the fleet had been held back, or -1 if it was not.
const RECORD_RECOVERED = `
local since = redis.call('HGET', KEYS[1], 'since')
if not since then return -1 end
redis.call('DEL', KEYS[1])
${NOW_MS}
return now - tonumber(since)`;

/**
 * The queue-wide rate limit a pause installs while it lasts: a billion jobs a second, i.e. no
 * limit but the pause itself. Its odd value marks it as ours, so an operator's is never removed.
 */
const PAUSE_RATE_LIMIT = { max: 1_000_000_000, duration: 1_000 };

export interface FleetPauseOptions {
  queue: Queue;
  redis: Redis;
  /** REDIS_KEY_PREFIX. */
  keyPrefix: string;
  initialPauseMs: number;
  maxPauseMs: number;
  /** THROTTLE_PAUSE_MAX: the longest pause a 429's Retry-After may impose. */
  throttlePauseMaxMs: number;
  logger: Logger;
  /**
   * The workers run with a rate limit of their own (QUEUE_RATE_LIMIT_MAX). Without one, BullMQ
   * ignores `rateLimit()`, so a pause installs a queue-wide limit for its duration and removes it
   * afterwards: keeping one all the time would cost every job three more Redis commands.
   */
  workersHaveLimiter: boolean;
  /** Told of each job put back behind a pause, with why: for metrics. */
  onJobHeldBack?: (cause: PauseCause["cause"], code: string) => void;
}

/**
 * Holds back every worker of the fleet, through BullMQ's queue-wide rate limit: while it runs no
 * worker fetches a job, and the job that hit the condition goes back to waiting without using an
 * attempt. After the pause, the next jobs fetched are the probes.
 */
export class FleetPause {
  readonly #options: FleetPauseOptions;
  readonly #stateKey: string;
  readonly #recordKey: string;
  /**
   * True at start: the outage may have been seen only by processes that are gone (the fleet was
   * restarted to fix the API password). The first delivery of each process then ends it, at the
   * cost of one Redis round trip per process, so a stale outage neither hides the next one's
   * error line nor starts it with a long pause.
   */
  #sawUnavailable = true;
  #throttledUntil = 0;
  /** When this process' last pause ends; 0 when it installed no limit that is still to remove. */
  #holdUntil = 0;

  constructor(options: FleetPauseOptions) {
    this.#options = options;
    this.#stateKey = `${options.keyPrefix}:${options.queue.name}:appliance-unavailable`;
    this.#recordKey = fleetPauseKey(options.keyPrefix, options.queue.name);
  }

  /**
   * The appliance asked to slow down (429): everyone waits for its Retry-After, but never longer
   * than THROTTLE_PAUSE_MAX. The pause is fleet-wide and outlives restarts, so one answer asking
   * for a day (or an absurd value) would otherwise stop every delivery for that long.
   */
  async throttle(retryAfterMs: number): Promise<void> {
    const { throttlePauseMaxMs, logger } = this.#options;
    const capped = retryAfterMs > throttlePauseMaxMs;
    const pauseMs = capped ? throttlePauseMaxMs : retryAfterMs;
    const now = Date.now();
    this.#options.onJobHeldBack?.("throttled", "AXELNAC_THROTTLED");
    if (capped) {
      logger.error(
        { code: "AXELNAC_THROTTLED", retryAfterMs, pauseMs },
        `AxelNAC asked every worker to wait ${formatDuration(retryAfterMs, "seconds")} (429 Retry-After), longer than THROTTLE_PAUSE_MAX: all workers pause ${formatDuration(pauseMs, "seconds")} instead`,
      );
    } else if (now >= this.#throttledUntil) {
      logger.warn({ retryAfterMs }, "AxelNAC asked to slow down (429): all workers pause");
    }
    this.#throttledUntil = Math.max(this.#throttledUntil, now + pauseMs);
    const holdMs = await recordFleetPause(this.#options.redis, this.#recordKey, pauseMs, {
      cause: "throttled",
      code: "AXELNAC_THROTTLED",
      retryAfterMs,
      ...(capped ? { cappedAtMs: pauseMs } : {}),
    });
    await this.#hold(holdMs);
  }

  /**
   * The appliance cannot serve anyone (down, login rejected, role missing): pause with a cool-down
   * that doubles at each failed probe. Returns the pause in ms.
   */
  async unavailable(
    error: { code: string; message: string; pid?: string },
    atLeastMs = 0,
  ): Promise<number> {
    const { redis, initialPauseMs, maxPauseMs, logger } = this.#options;
    this.#sawUnavailable = true;
    this.#options.onJobHeldBack?.("unavailable", error.code);
    const [changed, pauseMs, attempts] = (await redis.eval(
      RECORD_UNAVAILABLE,
      1,
      this.#stateKey,
      error.code,
      initialPauseMs,
      maxPauseMs,
      Math.max(3_600_000, maxPauseMs * 4),
      failureCause(error),
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
    const holdMs = await recordFleetPause(redis, this.#recordKey, pause, {
      cause: "unavailable",
      code: error.code,
    });
    await this.#hold(holdMs);
    return pause;
  }

  /** A delivery went through: if this process had seen the appliance unavailable, say it is back. */
  async deliverySucceeded(): Promise<void> {
    if (this.#holdUntil > 0 && Date.now() >= this.#holdUntil) await this.releaseHold();
    if (!this.#sawUnavailable) return;
    this.#sawUnavailable = false;
    const downMs = Number(await this.#options.redis.eval(RECORD_RECOVERED, 1, this.#stateKey));
    if (downMs >= 0) {
      this.#options.logger.info({ downMs }, "AxelNAC available again: deliveries resume");
    }
  }

  /**
   * Removes the queue-wide limit a pause installed, once no pause holds. Called by the process
   * that paused, after its pause, and at every worker start (the one that paused may be gone).
   */
  async releaseHold(): Promise<void> {
    if (this.#options.workersHaveLimiter) return;
    const { queue } = this.#options;
    this.#holdUntil = 0; // one check per pause, not one per delivery finishing at the same time
    const limit = await queue.getGlobalRateLimit();
    if (limit?.max !== PAUSE_RATE_LIMIT.max) return;
    const holdsMs = await queue.getRateLimitTtl(PAUSE_RATE_LIMIT.max);
    if (holdsMs > 0) {
      this.#holdUntil = Date.now() + holdsMs;
      return;
    }
    // Another process may pause between the check and the removal; its jobs then meet the
    // outage again and pause anew, so the race costs one round of probes, not a lost job.
    await queue.removeGlobalRateLimit();
  }

  async #hold(ms: number): Promise<void> {
    const { queue, workersHaveLimiter } = this.#options;
    if (!workersHaveLimiter) {
      this.#holdUntil = Math.max(this.#holdUntil, Date.now() + ms);
      if (!(await queue.getGlobalRateLimit())) {
        await queue.setGlobalRateLimit(PAUSE_RATE_LIMIT.max, PAUSE_RATE_LIMIT.duration);
      }
    }
    await queue.rateLimit(ms);
  }
}
