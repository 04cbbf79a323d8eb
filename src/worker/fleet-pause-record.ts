/**
 * The fleet pause as Redis holds it, for people: why every worker is held back and until when.
 * BullMQ's limiter key, which does the holding back, says only for how long. Written by
 * FleetPause with each pause it installs; read by `status`.
 *
 * `<prefix>:<queue>:fleet-pause`  hash {cause, code, endsAt, retryAfterMs?, cappedAtMs?},
 * expiring when the pause ends.
 */
import type Redis from "ioredis";
import { NOW_MS } from "../redis/lua";

export type PauseCause =
  /** A 429: the appliance asked for `retryAfterMs`; `cappedAtMs` when that was over THROTTLE_PAUSE_MAX. */
  | { cause: "throttled"; code: string; retryAfterMs: number; cappedAtMs?: number }
  /** Down, or refusing the API account: `code` says how. */
  | { cause: "unavailable"; code: string };

/** A running pause, as `status --json` prints it. */
export type FleetPauseStatus = PauseCause & {
  /** What is left of it, by Redis' clock. */
  remainingMs: number;
  /** When it ends (ISO 8601). */
  endsAt: string;
};

export function fleetPauseKey(keyPrefix: string, queueName: string): string {
  return `${keyPrefix}:${queueName}:fleet-pause`;
}

// KEYS[1] the record. ARGV: cause, code, pauseMs, retryAfterMs or "", cappedAtMs or "".
// A pause never shortens one that runs: the fleet waits for the longer, whose cause the record
// keeps. Returns how long the fleet is held back from now, in ms.
const RECORD_PAUSE = `
${NOW_MS}
local endsAt = tonumber(redis.call('HGET', KEYS[1], 'endsAt') or '0')
local wanted = now + tonumber(ARGV[3])
if wanted <= endsAt then return endsAt - now end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'cause', ARGV[1], 'code', ARGV[2], 'endsAt', wanted)
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'retryAfterMs', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'cappedAtMs', ARGV[5]) end
redis.call('PEXPIREAT', KEYS[1], wanted)
return tonumber(ARGV[3])`;

/** Records a pause of `pauseMs` and its cause; resolves to how long the fleet is held back from now. */
export async function recordFleetPause(
  redis: Redis,
  key: string,
  pauseMs: number,
  cause: PauseCause,
): Promise<number> {
  const throttled = cause.cause === "throttled" ? cause : undefined;
  const holdMs = await redis.eval(
    RECORD_PAUSE,
    1,
    key,
    cause.cause,
    cause.code,
    Math.max(1, Math.round(pauseMs)),
    throttled ? String(throttled.retryAfterMs) : "",
    throttled?.cappedAtMs !== undefined ? String(throttled.cappedAtMs) : "",
  );
  return Number(holdMs);
}

/** The running pause, or null. Reads only: `status` must not change what it reports on. */
export async function readFleetPause(redis: Redis, key: string): Promise<FleetPauseStatus | null> {
  const [fields, remainingMs] = await Promise.all([redis.hgetall(key), redis.pttl(key)]);
  if (remainingMs <= 0 || !fields.cause || !fields.code) return null;
  const timing = { remainingMs, endsAt: new Date(Number(fields.endsAt)).toISOString() };
  if (fields.cause !== "throttled") return { cause: "unavailable", code: fields.code, ...timing };
  return {
    cause: "throttled",
    code: fields.code,
    retryAfterMs: Number(fields.retryAfterMs),
    ...(fields.cappedAtMs ? { cappedAtMs: Number(fields.cappedAtMs) } : {}),
    ...timing,
  };
}
