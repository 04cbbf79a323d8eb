import type Redis from "ioredis";
import type { Logger } from "../logging/logger";
import { redactRedisUrl } from "./connection";
import { evictionProblem } from "./eviction-policy";

/**
 * Says, as a structured error line, when Redis may evict the courier's keys. BullMQ notices it
 * too, but only in a plain-text console line of its own. A Redis whose ACL refuses INFO is
 * only noted at debug level: the worker runs all the same.
 */
export async function reportEvictionPolicy(
  redis: Redis,
  url: string,
  logger: Logger,
): Promise<void> {
  let info: string;
  try {
    info = await redis.info("memory");
  } catch (error) {
    logger.debug({ err: error }, "could not read Redis' maxmemory-policy");
    return;
  }
  const problem = evictionProblem(info, redactRedisUrl(url));
  if (!problem) return;
  logger.error(
    { code: problem.code, redis: redactRedisUrl(url), maxmemoryPolicy: problem.policy },
    problem.message,
  );
}
