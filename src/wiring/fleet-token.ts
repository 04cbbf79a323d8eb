import { createHash } from "node:crypto";
import type Redis from "ioredis";
import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";
import { TokenManager, type TokenManagerOptions, TokenStore } from "../token";
import type { Appliance } from "./appliance";

/** The fleet's shared token, wired from configuration. */
export function createFleetTokenManager(
  config: Config,
  redis: Redis,
  appliance: Pick<Appliance, "client" | "credentials" | "url">,
  logger: Logger,
  onLogin?: TokenManagerOptions["onLogin"],
): TokenManager {
  const { client, credentials } = appliance;
  return new TokenManager({
    redis,
    keyPrefix: fleetTokenPrefix(config, appliance),
    login: () => client.login(credentials),
    idleTimeoutMs: config.token.idleTimeoutMs,
    maxLifetimeMs: config.token.maxLifetimeMs,
    refreshMarginMs: config.token.refreshMarginMs,
    // A login cannot outlast its connect and request timeouts; the lock must outlast the login.
    lockTtlMs: config.axelnac.connectTimeoutMs + config.axelnac.requestTimeoutMs + 5_000,
    loginBackoff: { initialMs: 1_000, maxMs: config.token.loginBackoffMaxMs },
    keyRing: config.encryption.ring,
    logger: logger.child({ component: "token" }),
    onLogin,
  });
}

/**
 * The fleet's token in Redis, to read without taking part in its refresh: `check` reports its
 * state and never stores, touches or discards it.
 */
export function fleetTokenStore(
  config: Config,
  redis: Redis,
  appliance: Pick<Appliance, "credentials" | "url">,
): TokenStore {
  return new TokenStore(redis, fleetTokenPrefix(config, appliance), config.encryption.ring);
}

function fleetTokenPrefix(
  config: Config,
  { url, credentials }: Pick<Appliance, "credentials" | "url">,
): string {
  return `${config.redisKeyPrefix}:${applianceKey(url, credentials.username)}`;
}

/**
 * Tokens are per appliance and API account: two fleets sharing a Redis but pointed at different
 * appliances (or at their own built-in simulators) must not hand each other tokens.
 */
function applianceKey(url: string, username: string): string {
  return createHash("sha256").update(`${url}\n${username}`).digest("hex").slice(0, 16);
}
