import type { Config } from "../config/config";
import { type GuestCheck, guestVerifier } from "../import/guest-verification";
import type { Logger } from "../logging/logger";
import { connectRedis, whenRedisReady } from "../redis/connection";
import { callWithToken } from "../token";
import { connectAppliance } from "./appliance";
import { createFleetTokenManager } from "./fleet-token";

export interface ConnectedGuestCheck {
  check: GuestCheck;
  close(): Promise<void>;
}

/**
 * `import --verify-guests`: guest lookups with the fleet's shared token (one login for the
 * fleet, as a worker's), at most the slots of AXELNAC_MAX_IN_FLIGHT that the workers leave free
 * when each chunk starts (BullMQ's active jobs are the requests they have in flight), and never
 * fewer than one.
 */
export async function connectGuestCheck(
  config: Config,
  logger: Logger,
  answerTimeoutMs: number,
): Promise<ConnectedGuestCheck> {
  const redis = connectRedis(config.redis, logger, "import-verify", {
    commandTimeoutMs: answerTimeoutMs,
  });
  try {
    await whenRedisReady(redis, answerTimeoutMs, config.redis.url);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const appliance = await connectAppliance(config, logger);
  const tokens = createFleetTokenManager(config, redis, appliance, logger);
  const activeList = `${config.queue.prefix}:${config.queue.name}:active`;
  const check = guestVerifier(
    (pid) => callWithToken(tokens, (token) => appliance.client.getUser(pid, token)),
    {
      concurrency: async () => config.delivery.maxInFlight - (await redis.llen(activeList)),
    },
  );
  return {
    check,
    close: async () => {
      await tokens.close();
      await appliance.close();
      redis.disconnect();
    },
  };
}
