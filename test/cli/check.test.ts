import { loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { type Simulator, startSimulator } from "../../src/simulator";
import { connectAppliance } from "../../src/wiring/appliance";
import { createFleetTokenManager } from "../../src/wiring/fleet-token";
import { runCli, runCliWithin } from "../support/cli";
import { expectNoSecrets } from "../support/log-sink";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { startBlackHole, startWebServer } from "../support/stand-ins";

/** What the fleet's workers would do first: log in through the shared token and keep it in Redis. */
async function seedFleetToken(env: Record<string, string>): Promise<string> {
  const config = loadConfig(env);
  const logger = createLogger({ level: "silent" });
  const appliance = await connectAppliance(config, logger);
  const redis = testRedis();
  const tokens = createFleetTokenManager(config, redis, appliance, logger);
  try {
    return await tokens.getToken();
  } finally {
    await tokens.close();
    redis.disconnect();
    await appliance.close();
  }
}

/** The fleet's token as Redis holds it under `prefix`: its fingerprint and remaining life. */
async function fleetTokenIn(prefix: string): Promise<{ fingerprint: string; ttlMs: number }[]> {
  const redis = testRedis();
  try {
    const keys = await redis.keys(`${prefix}:*:token`);
    return await Promise.all(
      keys.map(async (key) => ({
        fingerprint: String(await redis.hget(key, "fingerprint")),
        ttlMs: await redis.pttl(key),
      })),
    );
  } finally {
    redis.disconnect();
  }
}

const TOKEN_JSON = { status: 200, type: "application/json", body: `{"token":"${"c".repeat(64)}"}` };
const PORTAL_PAGE = {
  status: 200,
  type: "text/html",
  body: "<!doctype html><html><body>Welcome to the guest portal</body></html>",
};

describe("axelnac-courier check", () => {
  const prefix = uniquePrefix("cli-check");

  afterAll(async () => {
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("works against the built-in simulator with AXELNAC_URL=simulator", async () => {
    const result = await runCli(["check"], {
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      AXELNAC_URL: "simulator",
    });
    expect(result.stdout).toMatch(
      /^ok: http:\/\/127\.0\.0\.1:\d+ accepted the API credentials of "admin"/m,
    );
    expect(result.stdout).toMatch(/AXELNAC_URL=simulator: using the built-in AxelNAC simulator/);
    expect(result.code).toBe(0);
    const warnings = result.stdout
      .split("\n")
      .filter((line) => line.includes("stored in plaintext"));
    expect(warnings).toHaveLength(1);
  });

  it("says nothing of plaintext when a key ring is set, and stores no token for the fleet", async () => {
    const ring = `k1:${Buffer.alloc(32, 81).toString("base64")}`;
    const ringPrefix = `${prefix}:sealed`;
    const result = await runCli(["check"], {
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: ringPrefix,
      AXELNAC_URL: "simulator",
      JOB_ENCRYPTION_KEYS: ring,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/stored in plaintext/);
    expect(await fleetTokenIn(ringPrefix)).toEqual([]);
  });

  describe("against an appliance", () => {
    let sim: Simulator;
    const API_PASSWORD = "right-api-password-3e9a";
    const env = (overrides: Record<string, string> = {}) => ({
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      AXELNAC_URL: sim.url,
      AXELNAC_USERNAME: "courier",
      AXELNAC_PASSWORD: API_PASSWORD,
      ...overrides,
    });
    beforeAll(async () => {
      sim = await startSimulator({ port: 0, username: "courier", password: API_PASSWORD });
    });
    afterAll(() => sim.close());

    it("logs in with the configured credentials", async () => {
      const result = await runCli(["check"], env({ REDIS_KEY_PREFIX: `${prefix}:fresh` }));
      expect(result.code).toBe(0);
      expect(sim.stats().logins).toBe(1);
      expectNoSecrets(result.stdout + result.stderr, [API_PASSWORD]);
    });

    it("logs in afresh while the fleet holds a token, and neither uses nor replaces the fleet's", async () => {
      const fleetToken = await seedFleetToken(env());
      const [before] = await fleetTokenIn(prefix);
      const logins = sim.stats().logins;

      const result = await runCli(["check"], env());

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^ok: .* accepted the API credentials of "courier"/m);
      expect(sim.stats().logins).toBe(logins + 1);
      const [after] = await fleetTokenIn(prefix);
      expect(after?.fingerprint).toBe(before?.fingerprint);
      // Not touched: its idle deadline was not pushed back.
      expect(after?.ttlMs).toBeLessThanOrEqual(before?.ttlMs ?? 0);
      const stillValid = await fetch(`${sim.url}/api/v1/token_info`, {
        headers: { authorization: `Bearer ${fleetToken}` },
      });
      expect(stillValid.status).toBe(200);
      expect(result.stdout).toMatch(/^fleet token: shared in Redis, \d+m\d{2}s left/m);
    });

    it("logs in while the fleet's logins are held back, and says they are", async () => {
      const heldPrefix = `${prefix}:held`;
      await expect(
        seedFleetToken(env({ REDIS_KEY_PREFIX: heldPrefix, AXELNAC_PASSWORD: "wrong-one-5b1" })),
      ).rejects.toMatchObject({ code: "AXELNAC_LOGIN_REJECTED" });
      // The first back-off step is 1 s, shorter than a loaded machine takes to start the CLI:
      // hold logins back for a minute, as later steps do.
      const redis = testRedis();
      const [failureKey] = await redis.keys(`${heldPrefix}:*:token:login-failure`);
      await redis.hset(String(failureKey), "retryAt", Date.now() + 60_000);
      redis.disconnect();
      const result = await runCli(["check"], env({ REDIS_KEY_PREFIX: heldPrefix }));
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^ok: .* accepted the API credentials of "courier"/m);
      expect(result.stdout).toMatch(
        /^fleet logins: AXELNAC_LOGIN_BACKOFF: held back (1m00s|\d+s) more after 1 failed attempt\(s\): AXELNAC_LOGIN_REJECTED: login rejected: 401/m,
      );
      expect(result.stdout).toMatch(/^fleet token: none in Redis/m);
    });

    it("fails on a wrong API password although the fleet holds a token, and never prints it", async () => {
      await seedFleetToken(env());
      const wrong = "wrong-api-password-77d1";
      const result = await runCli(["check"], env({ AXELNAC_PASSWORD: wrong }));
      expect(result.code).toBe(1);
      expect(result.stdout).not.toMatch(/^ok: .* accepted/m);
      expect(result.stderr).toMatch(
        /failed: AXELNAC_LOGIN_REJECTED: .*Wasn't able to authenticate those credentials/,
      );
      expectNoSecrets(result.stdout + result.stderr, [wrong, API_PASSWORD]);
    });
  });

  it("fails when the appliance refuses connections although the fleet holds a token", async () => {
    const sim = await startSimulator({ port: 0 });
    try {
      const env = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, AXELNAC_URL: sim.url };
      await seedFleetToken({ ...env, AXELNAC_USERNAME: "admin", AXELNAC_PASSWORD: "admin" });
      await sim.goDown(30_000);
      const result = await runCli(["check"], {
        ...env,
        AXELNAC_USERNAME: "admin",
        AXELNAC_PASSWORD: "admin",
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^failed: AXELNAC_UNREACHABLE: login failed: .*ECONNREFUSED/m);
    } finally {
      await sim.close();
    }
  });

  describe("when something other than the API answers at AXELNAC_URL", () => {
    const credentials = { AXELNAC_USERNAME: "courier", AXELNAC_PASSWORD: "portal-pass-1" };

    it("fails on a web page in place of the login, although the fleet holds a token", async () => {
      const portal = await startWebServer(() => TOKEN_JSON);
      try {
        const env = {
          REDIS_URL: testRedisUrl(),
          REDIS_KEY_PREFIX: prefix,
          AXELNAC_URL: portal.url,
          ...credentials,
        };
        await seedFleetToken(env);
        portal.answer = () => PORTAL_PAGE;
        const result = await runCli(["check"], env);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(
          /^failed: AXELNAC_WRONG_SERVICE: login answered 200 with an HTML page: AXELNAC_URL likely points at the wrong service/m,
        );
      } finally {
        await portal.close();
      }
    });

    it("fails when the login gives a token but the API answers a web page", async () => {
      const portal = await startWebServer((method) =>
        method === "POST" ? TOKEN_JSON : PORTAL_PAGE,
      );
      try {
        const result = await runCli(["check"], {
          REDIS_URL: testRedisUrl(),
          REDIS_KEY_PREFIX: `${prefix}:portal`,
          AXELNAC_URL: portal.url,
          ...credentials,
        });
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(
          /^failed: AXELNAC_WRONG_SERVICE: token_info answered 200 with an HTML page: AXELNAC_URL likely points at the wrong service/m,
        );
      } finally {
        await portal.close();
      }
    });
  });

  it("ends within its time when Redis does not answer, and still reports the appliance", async () => {
    const redis = await startBlackHole("redis");
    try {
      const result = await runCliWithin(40_000, ["check"], {
        REDIS_URL: redis.url,
        AXELNAC_URL: "simulator",
      });
      expect(result.killed).toBe(false);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^failed: COURIER_REDIS_UNREACHABLE: Redis at redis:\/\/127/m);
      expect(result.stdout).toMatch(/^ok: http:\/\/127\.0\.0\.1:\d+ accepted the API credentials/m);
      // The one-shot wait for Redis is 10 s.
      expect(result.elapsedMs).toBeLessThan(30_000);
    } finally {
      await redis.close();
    }
  }, 60_000);

  it("ends within its time when the appliance does not answer", async () => {
    const appliance = await startBlackHole();
    try {
      const result = await runCliWithin(40_000, ["check"], {
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: prefix,
        AXELNAC_URL: appliance.url,
        AXELNAC_USERNAME: "courier",
        AXELNAC_PASSWORD: "hanging-pass-1",
        AXELNAC_CONNECT_TIMEOUT: "1s",
        AXELNAC_REQUEST_TIMEOUT: "1s",
      });
      expect(result.killed).toBe(false);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^failed: AXELNAC_UNREACHABLE: login failed: no complete answer/m,
      );
      expect(result.elapsedMs).toBeLessThan(3 * 2_000 + 5_000);
    } finally {
      await appliance.close();
    }
  });

  it("stops with exit 2 and names the variable when a setting is bad", async () => {
    const result = await runCli(["check"], {
      AXELNAC_URL: "https://nac.example:9999",
      AXELNAC_TOKEN_IDLE_TIMEOUT: "often",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/AXELNAC_TOKEN_IDLE_TIMEOUT: "often" is not a duration/);
  });

  it("refuses an unknown command with the list of commands", async () => {
    const result = await runCli(["deliver-everything"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /unknown command "deliver-everything"[\s\S]*commands:\n {2}check/,
    );
  });
});
