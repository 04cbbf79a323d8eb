import type Redis from "ioredis";
import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";
import { historyKeys } from "./history-keys";
import { HistoryWriter } from "./history-writer";

/** The worker's history writer, or undefined when HISTORY_RETENTION is off: nothing is kept. */
export function openHistoryWriter(
  redis: Redis,
  config: Config,
  logger: Logger,
): HistoryWriter | undefined {
  const { retentionMs } = config.history;
  if (retentionMs === undefined) return undefined;
  const keys = historyKeys(config.redisKeyPrefix, config.queue.name);
  return new HistoryWriter(redis, keys, retentionMs, logger);
}
