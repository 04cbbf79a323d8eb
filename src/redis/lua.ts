/**
 * Lua snippets shared by the courier's scripts, so that every script reads time and grows its
 * back-off the same way.
 */

/** Sets `now` to Redis' own clock in milliseconds: every host then agrees on deadlines. */
export const NOW_MS =
  "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)";

/**
 * Sets `name` to a delay that doubles with each attempt: `initial` for the first (the script's
 * local `attempts` is 1), never more than `max`. `initial` and `max` are Lua expressions,
 * typically `ARGV[n]`.
 */
export function doublingDelay(name: string, initial: string, max: string): string {
  return `local ${name} = math.floor(math.min(tonumber(${max}), tonumber(${initial}) * 2 ^ (attempts - 1)))`;
}
