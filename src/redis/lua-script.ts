import { createHash } from "node:crypto";
import type Redis from "ioredis";

/**
 * A Lua script run by its SHA-1 (EVALSHA), sent whole (EVAL) only when Redis does not have it
 * yet or any more (NOSCRIPT: first use, a restart, SCRIPT FLUSH). Every request would otherwise
 * send the script's text and make Redis hash it. Not ioredis' defineCommand: a script defined on
 * the connection is copied onto every transaction object ioredis builds on it.
 */
export class LuaScript {
  readonly #sha: string;

  constructor(readonly source: string) {
    this.#sha = createHash("sha1").update(source).digest("hex");
  }

  async run(
    redis: Redis,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error as Error).message?.startsWith("NOSCRIPT")) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
