import { loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { connectAppliance } from "../../src/wiring/appliance";
import { createFleetTokenManager } from "../../src/wiring/fleet-token";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { startWebServer } from "../support/stand-ins";

/**
 * A login whose token could never travel in a header (a line break, a space) is refused at
 * login as an unexpected answer: never stored for the fleet, never sent to fail as "unreachable".
 */
describe("a login that answers a malformed token", () => {
  const prefix = uniquePrefix("malformed-token");

  afterAll(async () => {
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("is AXELNAC_UNEXPECTED_RESPONSE, and the fleet stores no token", async () => {
    const token = "0123456789abcdef\r\nX-Injected: yes";
    const appliance = await startWebServer(() => ({
      status: 200,
      type: "application/json",
      body: JSON.stringify({ token }),
    }));
    const config = loadConfig({
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      AXELNAC_URL: appliance.url,
      AXELNAC_USERNAME: "courier",
      AXELNAC_PASSWORD: "api-pass-6d0",
    });
    const logger = createLogger({ level: "silent" });
    const connected = await connectAppliance(config, logger);
    const redis = testRedis();
    const tokens = createFleetTokenManager(config, redis, connected, logger);
    try {
      const refused = await tokens.getToken().then(
        () => undefined,
        (error: unknown) => error as { code: string; message: string },
      );
      expect(refused?.code).toBe("AXELNAC_UNEXPECTED_RESPONSE");
      expect(refused?.message).toMatch(/^login answered 200 with a malformed token/);
      expect(refused?.message).not.toContain("0123456789abcdef");
      expect(await redis.keys(`${prefix}:*:token`)).toEqual([]);
    } finally {
      await tokens.close();
      redis.disconnect();
      await connected.close();
      await appliance.close();
    }
  });
});
