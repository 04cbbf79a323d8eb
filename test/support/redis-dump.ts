import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type Redis from "ioredis";

/** Every key and every value of every type, as text: what a backup or `redis-cli` would show. */
export async function dumpEverything(redis: Redis): Promise<string> {
  const parts: string[] = [];
  for (const key of await redis.keys("*")) {
    const type = await redis.type(key);
    // Gone since KEYS listed it (a worker finished a job meanwhile): nothing left to show.
    if (type === "none") continue;
    parts.push(`${type} ${key}`);
    if (type === "string") parts.push((await redis.get(key)) ?? "");
    else if (type === "hash") parts.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === "list") parts.push(...(await redis.lrange(key, 0, -1)));
    else if (type === "set") parts.push(...(await redis.smembers(key)));
    else if (type === "zset") parts.push(...(await redis.zrange(key, 0, -1, "WITHSCORES")));
    else if (type === "stream") parts.push(JSON.stringify(await redis.xrange(key, "-", "+")));
    else throw new Error(`no dump for ${type} ${key}`);
  }
  return parts.join("\n");
}

/** The append-only files, every byte of them, as Redis wrote them to disk. */
export function appendOnlyFiles(dir: string): string {
  const aofDir = join(dir, "appendonlydir");
  return readdirSync(aofDir)
    .filter((name) => statSync(join(aofDir, name)).isFile())
    .map((name) => readFileSync(join(aofDir, name), "latin1"))
    .join("\n");
}
