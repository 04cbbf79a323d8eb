import type { RedisTarget } from "../../config/redis-target";
import { redactRedisUrl } from "../../redis/connection";
import { redisAnswers } from "../../redis/ping";
import {
  type PrivateRedis,
  redisServerOnPath,
  startPrivateRedis,
} from "../../redis/private-server";

/** The Redis a demo runs on: the configured one if it answers, else a private one, else none. */
export type DemoRedis =
  | { kind: "configured"; target: RedisTarget }
  | { kind: "private"; target: RedisTarget; server: PrivateRedis; configuredUrl: string }
  | { kind: "none"; configuredUrl: string };

export async function provideRedis(configured: RedisTarget): Promise<DemoRedis> {
  if (await redisAnswers(configured)) return { kind: "configured", target: configured };
  const configuredUrl = configured.url;
  if (!redisServerOnPath()) return { kind: "none", configuredUrl };
  const server = await startPrivateRedis({ dirPrefix: "axelnac-courier-demo-redis-" });
  return { kind: "private", target: { url: server.url }, server, configuredUrl };
}

/** What to do when there is no Redis at all: every way of getting one, as commands. */
export function howToGetRedis(configuredUrl: string): string {
  return [
    `demo: no Redis answers at ${redactRedisUrl(configuredUrl)}, and there is no redis-server on PATH to start one.`,
    "Get a Redis in one of these ways, then run `npm run demo` again:",
    "  sudo apt-get install redis-server          # Debian, Ubuntu: installs and starts it on port 6379",
    "  docker run -d -p 6379:6379 redis:7         # any machine with Docker",
    "  REDIS_URL=redis://host:6379 npm run demo   # a Redis you already have",
    "",
  ].join("\n");
}
