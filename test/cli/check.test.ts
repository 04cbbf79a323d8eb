import { type Simulator, startSimulator } from "../../src/simulator";
import { runCli } from "../support/cli";
import { expectNoSecrets } from "../support/log-sink";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";

describe("axelnac-courier check", () => {
  const prefix = uniquePrefix("cli-check");

  afterAll(async () => {
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("works out of the box against the built-in simulator", async () => {
    const result = await runCli(["check"], { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix });
    expect(result.stdout).toMatch(
      /^ok: http:\/\/127\.0\.0\.1:\d+ accepted the API credentials of "admin"/m,
    );
    expect(result.stdout).toMatch(/AXELNAC_URL is not set: using the built-in AxelNAC simulator/);
    expect(result.code).toBe(0);
    const warnings = result.stdout
      .split("\n")
      .filter((line) => line.includes("stored in plaintext"));
    expect(warnings).toHaveLength(1);
  });

  it("says nothing of plaintext when a key ring is set, and the token it stores is sealed", async () => {
    const ring = `k1:${Buffer.alloc(32, 81).toString("base64")}`;
    const ringPrefix = `${prefix}:sealed`;
    const result = await runCli(["check"], {
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: ringPrefix,
      JOB_ENCRYPTION_KEYS: ring,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/stored in plaintext/);
    const redis = testRedis();
    const [tokenKey] = await redis.keys(`${ringPrefix}:*:token`);
    expect(await redis.hget(tokenKey as string, "token")).toMatch(/^enc:v1:k1:/);
    redis.disconnect();
  });

  describe("against an appliance", () => {
    let sim: Simulator;
    const API_PASSWORD = "right-api-password-3e9a";
    beforeAll(async () => {
      sim = await startSimulator({ port: 0, username: "courier", password: API_PASSWORD });
    });
    afterAll(() => sim.close());

    it("logs in with the configured credentials", async () => {
      const env = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, AXELNAC_URL: sim.url };
      const result = await runCli(["check"], {
        ...env,
        AXELNAC_USERNAME: "courier",
        AXELNAC_PASSWORD: API_PASSWORD,
      });
      expect(result.code).toBe(0);
      expect(sim.stats().logins).toBe(1);
      expectNoSecrets(result.stdout + result.stderr, [API_PASSWORD]);
    });

    it("fails with the outcome code when the API password is wrong, and never prints it", async () => {
      const wrong = "wrong-api-password-77d1";
      const env = {
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: `${prefix}:wrong`,
        AXELNAC_URL: sim.url,
      };
      const result = await runCli(["check"], {
        ...env,
        AXELNAC_USERNAME: "courier",
        AXELNAC_PASSWORD: wrong,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /failed: AXELNAC_LOGIN_REJECTED: .*Wasn't able to authenticate those credentials/,
      );
      expectNoSecrets(result.stdout + result.stderr, [wrong, API_PASSWORD]);
    });
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
