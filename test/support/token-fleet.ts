import type Redis from "ioredis";
import { AxelnacClient } from "../../src/axelnac";
import type { Logger } from "../../src/logging/logger";
import { TokenManager, type TokenManagerOptions } from "../../src/token";
import { testRedis } from "./redis";

export interface FleetMember {
  redis: Redis;
  client: AxelnacClient;
  tokens: TokenManager;
  close(): Promise<void>;
}

/**
 * One process' worth of the token machinery: its own Redis connection, its own AxelNAC client
 * and token manager, pointed at a shared key prefix, as a worker process would have.
 */
export function fleetMember(
  url: string,
  prefix: string,
  logger: Logger,
  overrides: Partial<TokenManagerOptions> & {
    username?: string;
    password?: string;
    /** A connection of the caller's, e.g. to a private server; closed with the member. */
    redis?: Redis;
  } = {},
): FleetMember {
  const { username = "admin", password = "admin", redis = testRedis(), ...options } = overrides;
  const client = new AxelnacClient({ url, logger, requestTimeoutMs: 10_000 });
  const tokens = new TokenManager({
    redis,
    keyPrefix: prefix,
    login: () => client.login({ username, password }),
    idleTimeoutMs: 15 * 60_000,
    maxLifetimeMs: 12 * 3_600_000,
    refreshMarginMs: 60_000,
    lockTtlMs: 15_000,
    loginBackoff: { initialMs: 1_000, maxMs: 10_000 },
    logger,
    ...options,
  });
  return {
    redis,
    client,
    tokens,
    close: async () => {
      await tokens.close();
      await client.close();
      redis.disconnect();
    },
  };
}
