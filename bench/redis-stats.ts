import type Redis from "ioredis";

/**
 * Commands Redis executed since the last CONFIG RESETSTAT. Redis counts the commands a Lua script
 * runs as well as the EVALSHA that ran it, so this is Redis' work, not only round trips.
 */
export interface CommandCounts {
  total: number;
  /** calls by command name, e.g. "evalsha", "incr", "config|resetstat". */
  byCommand: Record<string, number>;
}

export interface RedisSample extends CommandCounts {
  /** used_cpu_user + used_cpu_sys of redis-server since it started, in ms. */
  cpuMs: number;
}

/** Zeroes the command counters (CONFIG RESETSTAT counts itself once afterwards). */
export async function resetCommandCounts(redis: Redis): Promise<void> {
  await redis.config("RESETSTAT");
}

/** One INFO round trip; INFO does not count itself in the answer it gives. */
export async function sampleRedis(redis: Redis): Promise<RedisSample> {
  const text = await redis.info("stats", "commandstats", "cpu");
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const at = line.indexOf(":");
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  const byCommand: Record<string, number> = {};
  for (const [key, value] of fields) {
    if (!key.startsWith("cmdstat_")) continue;
    byCommand[key.slice("cmdstat_".length)] = Number(/calls=(\d+)/.exec(value)?.[1] ?? 0);
  }
  const cpuSeconds =
    Number(fields.get("used_cpu_user") ?? 0) + Number(fields.get("used_cpu_sys") ?? 0);
  return {
    total: Number(fields.get("total_commands_processed") ?? 0),
    byCommand,
    cpuMs: cpuSeconds * 1_000,
  };
}

/** `counts` less `overhead`, command by command (the bench's own commands in a window). */
export function withoutOverhead(counts: CommandCounts, overhead: CommandCounts): CommandCounts {
  const byCommand = { ...counts.byCommand };
  for (const [name, calls] of Object.entries(overhead.byCommand)) {
    const left = (byCommand[name] ?? 0) - calls;
    if (left > 0) byCommand[name] = left;
    else delete byCommand[name];
  }
  return { total: counts.total - overhead.total, byCommand };
}

export function addCounts(a: CommandCounts, b: CommandCounts): CommandCounts {
  const byCommand = { ...a.byCommand };
  for (const [name, calls] of Object.entries(b.byCommand)) {
    byCommand[name] = (byCommand[name] ?? 0) + calls;
  }
  return { total: a.total + b.total, byCommand };
}

export function scaleCounts(counts: CommandCounts, factor: number): CommandCounts {
  const byCommand: Record<string, number> = {};
  for (const [name, calls] of Object.entries(counts.byCommand)) byCommand[name] = calls * factor;
  return { total: counts.total * factor, byCommand };
}
