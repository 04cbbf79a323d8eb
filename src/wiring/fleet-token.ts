import { createHash } from "node:crypto";
import type Redis from "ioredis";
import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";
import { TokenManager } from "../token";
import type { Appliance } from "./appliance";

/** The fleet's shared token, wired from configuration. */
export function createFleetTokenManager(
  config: Config,
  redis: Redis,
  appliance: Pick<Appliance, "client" | "credentials" | "url">,
  logger: Logger,
): TokenManager {
  const { client, credentials, url } = appliance;
  return new TokenManager({
    redis,
    keyPrefix: `${config.redisKeyPrefix}:${applianceKey(url, credentials.username)}`,
    login: () => client.login(credentials),
    idleTimeoutMs: config.token.idleTimeoutMs,
    maxLifetimeMs: config.token.maxLifetimeMs,
    refreshMarginMs: config.token.refreshMarginMs,
    // A login cannot outlast its connect and request timeouts; the lock must outlast the login.
    lockTtlMs: config.axelnac.connectTimeoutMs + config.axelnac.requestTimeoutMs + 5_000,
    loginBackoff: { initialMs: 1_000, maxMs: config.token.loginBackoffMaxMs },
    keyRing: config.encryption.ring,
    logger: logger.child({ component: "token" }),
  });
}

/**
 * Tokens are per appliance and API account: two fleets sharing a Redis but pointed at different
 * appliances (or at their own built-in simulators) must not hand each other tokens.
 */
function applianceKey(url: string, username: string): string {
  return createHash("sha256").update(`${url}\n${username}`).digest("hex").slice(0, 16);
}
