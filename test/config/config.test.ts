import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/config/config";
import { parseDuration } from "../../src/config/duration";
import { settingsSchema } from "../../src/config/schema";
import { REPO_ROOT } from "../support/processes";

describe("durations", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["15m", 900_000],
    ["12h", 43_200_000],
    ["1d", 86_400_000],
    ["250", 250],
    ["1.5s", 1_500],
    [" 30s ", 30_000],
    ["1.25s", 1_250],
    ["0.5m", 30_000],
    ["2.75", 3],
  ])("%j is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "15 minutes", "-1s", "m", "10x"])(
    "%j is refused with the accepted forms",
    (text) => {
      expect(() => parseDuration(text)).toThrow(
        /is not a duration: use a number of milliseconds or a number with ms, s, m, h or d/,
      );
    },
  );
});

describe("loadConfig", () => {
  it("has working defaults with no appliance configured", () => {
    const config = loadConfig({});
    expect(config.redis).toEqual({ url: "redis://127.0.0.1:6379" });
    expect(config.axelnac.url).toBeUndefined();
    expect(config.axelnac).toMatchObject({
      username: "admin",
      password: "admin",
      maxConnections: 8,
    });
    expect(config.token).toMatchObject({ idleTimeoutMs: 900_000, maxLifetimeMs: 43_200_000 });
    expect(config.axelnac.insecureSkipTlsVerify).toBe(false);
  });

  it("names every bad variable and what is wrong with it", () => {
    const attempt = () =>
      loadConfig({
        REDIS_URL: "http://localhost",
        AXELNAC_TOKEN_IDLE_TIMEOUT: "soon",
        AXELNAC_MAX_CONNECTIONS: "0",
        LOG_LEVEL: "loud",
        AXELNAC_TLS_INSECURE_SKIP_VERIFY: "maybe",
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/REDIS_URL: must be a URL starting with redis:\/\/ or rediss:\/\//);
      expect(message).toMatch(/AXELNAC_TOKEN_IDLE_TIMEOUT: "soon" is not a duration/);
      expect(message).toMatch(/AXELNAC_MAX_CONNECTIONS: "0" is not a whole number of 1 or more/);
      expect(message).toMatch(/LOG_LEVEL: "loud" is not a log level/);
      expect(message).toMatch(/AXELNAC_TLS_INSECURE_SKIP_VERIFY: "maybe" is not a yes\/no value/);
    }
  });

  it("requires the API credentials when an appliance is configured, without echoing the password", () => {
    expect(() => loadConfig({ AXELNAC_URL: "https://nac.example:9999" })).toThrow(
      /AXELNAC_USERNAME: required when AXELNAC_URL is set\n\s+AXELNAC_PASSWORD: required when AXELNAC_URL is set/,
    );
    expect(() => loadConfig({ AXELNAC_URL: "ftp://nac.example" })).toThrow(
      /AXELNAC_URL: must be a URL starting with https:\/\/ or http:\/\//,
    );
  });

  it("reads the CA file and refuses one that is missing or holds no certificate", () => {
    expect(() => loadConfig({ AXELNAC_CA_FILE: "/nonexistent/ca.pem" })).toThrow(
      /AXELNAC_CA_FILE: cannot read \/nonexistent\/ca.pem \(ENOENT\)/,
    );
    expect(() => loadConfig({ AXELNAC_CA_FILE: join(REPO_ROOT, "package.json") })).toThrow(
      /AXELNAC_CA_FILE: .*package.json holds no PEM certificate/,
    );
  });

  it("refuses a refresh margin as long as the token's lifetime", () => {
    expect(() =>
      loadConfig({ AXELNAC_TOKEN_MAX_LIFETIME: "1m", AXELNAC_TOKEN_REFRESH_MARGIN: "1m" }),
    ).toThrow(/AXELNAC_TOKEN_REFRESH_MARGIN: must be shorter than AXELNAC_TOKEN_MAX_LIFETIME/);
  });
});

describe("documentation of the settings", () => {
  const variables = Object.keys(settingsSchema.shape);

  it("lists every setting in .env.example, and besides them only what docker-compose.yml reads", () => {
    const example = readFileSync(join(REPO_ROOT, ".env.example"), "utf8");
    const compose = readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8");
    const listed = [...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1] as string);
    const composeOnly = ["REDIS_PASSWORD"];
    for (const name of composeOnly) expect(compose).toContain(`\${${name}:?`);
    expect(listed.filter((name) => !composeOnly.includes(name)).sort()).toEqual(
      [...variables].sort(),
    );
  });

  it("lists every setting in the README's table", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const listed = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect([...new Set(listed)].sort()).toEqual([...variables].sort());
  });
});
