import type Redis from "ioredis";

/**
 * Deletes every key that starts with one of `prefixes`: SCAN in pages, UNLINK what each page
 * finds, so a large queue neither blocks Redis nor has to fit in memory.
 */
export async function deleteKeysStartingWith(redis: Redis, prefixes: string[]): Promise<number> {
  let deleted = 0;
  for (const prefix of prefixes) {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(
        cursor,
        "MATCH",
        `${escapeGlob(prefix)}*`,
        "COUNT",
        1_000,
      );
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== "0");
  }
  return deleted;
}

/** A queue name or key prefix is taken literally, whatever characters it holds. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
