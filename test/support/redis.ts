import { randomUUID } from "node:crypto";
import Redis from "ioredis";

/** The suite's Redis URL, set by the global setup (or by the caller through REDIS_URL). */
export function testRedisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error("REDIS_URL is not set: the jest global setup did not run");
  return url;
}

/** A fresh connection to the suite's Redis; the caller quits it. */
export function testRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
}

/** A key prefix no other test uses, as BullMQ's tests name their queues. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}
