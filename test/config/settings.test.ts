import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConfigError,
  loadConfig,
  requireAppliance,
  simulatorCredentialsFromEnv,
} from "../../src/config/config";

/** The message of the ConfigError `env` raises, or undefined when it loads. */
function problemsOf(env: NodeJS.ProcessEnv): string | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("COURIER_CONFIG_INVALID");
    return (error as Error).message;
  }
}

const APPLIANCE = {
  AXELNAC_URL: "https://nac.example:9999",
  AXELNAC_USERNAME: "api",
  AXELNAC_PASSWORD: "Api-Pa55",
};

describe("loadConfig: every setting reaches its place", () => {
  it("maps each variable to its field, durations in milliseconds", () => {
    const config = loadConfig({
      ...APPLIANCE,
      REDIS_URL: "rediss://cache.example:6380/2",
      REDIS_KEY_PREFIX: "site-a",
      AXELNAC_TLS_INSECURE_SKIP_VERIFY: "true",
      AXELNAC_CONNECT_TIMEOUT: "3s",
      AXELNAC_REQUEST_TIMEOUT: "7s",
      AXELNAC_MAX_CONNECTIONS: "4",
      AXELNAC_TOKEN_IDLE_TIMEOUT: "10m",
      AXELNAC_TOKEN_MAX_LIFETIME: "6h",
      AXELNAC_TOKEN_REFRESH_MARGIN: "2m",
      AXELNAC_LOGIN_BACKOFF_MAX: "90s",
      AXELNAC_SOURCE_ID: "sms-gw",
      AXELNAC_TIME_ZONE: "Europe/Moscow",
      ONBOARD_PHONE_REGION: "RU",
      ONBOARD_GUESTS_PER_JOB: "40",
      QUEUE_NAME: "guests",
      QUEUE_PREFIX: "q",
      WORKER_CONCURRENCY: "3",
      AXELNAC_MAX_IN_FLIGHT: "5",
      QUEUE_RATE_LIMIT_MAX: "20",
      QUEUE_RATE_LIMIT_DURATION: "2s",
      DELIVERY_ATTEMPTS: "6",
      DELIVERY_BACKOFF: "4s",
      DELIVERY_BACKOFF_MAX: "8m",
      DELIVERY_RETRY_AMBIGUOUS: "false",
      SYSTEMIC_PAUSE_MAX: "3m",
      THROTTLE_PAUSE_MAX: "90s",
      DUPLICATE_WINDOW: "12h",
      DUPLICATE_KEY_SECRET: "0123456789abcdef",
      IDEMPOTENCY_TTL: "36h",
      JOB_ENCRYPTION_KEYS: `k2:${Buffer.alloc(32, 2).toString("base64")}`,
      JOB_ENCRYPTION_REQUIRED: "true",
      FAILED_JOB_RETENTION: "7d",
      HISTORY_RETENTION: "30d",
      WORKER_LOCK_DURATION: "45s",
      SHUTDOWN_TIMEOUT: "20s",
      SERVE_HOST: "0.0.0.0",
      SERVE_PORT: "9443",
      SERVE_BODY_LIMIT: "64KiB",
      SERVE_SHUTDOWN_DELAY: "2s",
      API_RATE_LIMIT: "50",
      API_RATE_LIMIT_WINDOW: "10s",
      METRICS_PORT: "9464",
      METRICS_HOST: "0.0.0.0",
      WEBHOOK_ATTEMPTS: "5",
      WEBHOOK_BACKOFF: "2s",
      WEBHOOK_BACKOFF_MAX: "30m",
      LOG_LEVEL: "debug",
      LOG_FORMAT: "json",
    });
    expect(config).toEqual({
      redis: { url: "rediss://cache.example:6380/2" },
      redisKeyPrefix: "site-a",
      axelnac: {
        url: "https://nac.example:9999",
        username: "api",
        password: "Api-Pa55",
        ca: undefined,
        caFile: undefined,
        insecureSkipTlsVerify: true,
        connectTimeoutMs: 3_000,
        requestTimeoutMs: 7_000,
        maxConnections: 4,
      },
      token: {
        idleTimeoutMs: 600_000,
        maxLifetimeMs: 21_600_000,
        refreshMarginMs: 120_000,
        loginBackoffMaxMs: 90_000,
      },
      queue: { name: "guests", prefix: "q" },
      delivery: {
        concurrency: 3,
        maxInFlight: 5,
        rateLimit: { max: 20, durationMs: 2_000 },
        attempts: 6,
        backoffMs: 4_000,
        backoffMaxMs: 480_000,
        retryAmbiguous: false,
        systemicPauseMaxMs: 180_000,
        throttlePauseMaxMs: 90_000,
        failedRetentionMs: 604_800_000,
        lockDurationMs: 45_000,
        shutdownTimeoutMs: 20_000,
      },
      webhooks: { attempts: 5, backoffMs: 2_000, backoffMaxMs: 1_800_000 },
      onboarding: { applianceTimeZone: "Europe/Moscow", phoneRegion: "RU", guestsPerJob: 40 },
      producer: {
        defaultSourceId: "sms-gw",
        duplicateWindowMs: 43_200_000,
        duplicateKeySecret: "0123456789abcdef",
      },
      idempotency: { ttlMs: 129_600_000 },
      encryption: { ring: expect.objectContaining({ activeId: "k2" }), plaintextRefused: true },
      serve: {
        host: "0.0.0.0",
        port: 9443,
        tls: undefined,
        bodyLimitBytes: 65_536,
        rateLimit: { max: 50, windowMs: 10_000 },
        shutdownDelayMs: 2_000,
      },
      history: { retentionMs: 2_592_000_000 },
      metrics: { port: 9464, host: "0.0.0.0" },
      log: { level: "debug", levelIsDefault: false, format: "json" },
    });
  });

  it("has the documented defaults", () => {
    const config = loadConfig({});
    expect(config.redisKeyPrefix).toBe("axelnac-courier");
    expect(config.queue).toEqual({ name: "axelnac-credentials", prefix: "bull" });
    expect(config.axelnac).toMatchObject({ connectTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
    expect(config.token).toMatchObject({ refreshMarginMs: 60_000, loginBackoffMaxMs: 300_000 });
    expect(config.delivery).toEqual({
      concurrency: 10,
      maxInFlight: 8,
      rateLimit: undefined,
      attempts: 10,
      backoffMs: 5_000,
      backoffMaxMs: 600_000,
      retryAmbiguous: true,
      systemicPauseMaxMs: 300_000,
      throttlePauseMaxMs: 300_000,
      failedRetentionMs: 2_592_000_000,
      lockDurationMs: 30_000,
      shutdownTimeoutMs: 30_000,
    });
    expect(config.webhooks).toEqual({ attempts: 12, backoffMs: 10_000, backoffMaxMs: 3_600_000 });
    expect(config.producer).toEqual({
      defaultSourceId: undefined,
      duplicateWindowMs: 86_400_000,
      duplicateKeySecret: undefined,
    });
    expect(config.idempotency).toEqual({ ttlMs: 86_400_000 });
    expect(config.log).toEqual({ level: "info", levelIsDefault: true, format: "auto" });
    expect(config.encryption).toEqual({ ring: undefined, plaintextRefused: false });
    expect(config.serve).toEqual({
      host: "127.0.0.1",
      port: 8080,
      tls: undefined,
      bodyLimitBytes: 1_048_576,
      rateLimit: { max: 600, windowMs: 60_000 },
      shutdownDelayMs: 5_000,
    });
    expect(config.history).toEqual({ retentionMs: 7_776_000_000 });
    expect(config.metrics).toEqual({ port: undefined, host: "127.0.0.1" });
  });
});

describe("loadConfig: HISTORY_RETENTION", () => {
  it.each(["off", "OFF", "0", "0s"])("reads %j as no history kept", (text) => {
    expect(loadConfig({ HISTORY_RETENTION: text }).history).toEqual({ retentionMs: undefined });
  });

  it("takes any duration of 1 s or more", () => {
    expect(loadConfig({ HISTORY_RETENTION: "1s" }).history.retentionMs).toBe(1_000);
    expect(loadConfig({ HISTORY_RETENTION: "365d" }).history.retentionMs).toBe(31_536_000_000);
  });

  it.each([
    ["500ms", /HISTORY_RETENTION: must be at least 1s, or off to keep no history/],
    ["never", /HISTORY_RETENTION: "never" is not a duration/],
  ])("refuses %j, naming the variable", (text, problem) => {
    expect(problemsOf({ HISTORY_RETENTION: text })).toMatch(problem);
  });
});

describe("loadConfig: the metrics port", () => {
  it("takes 0 (any free port) and treats an empty value as unset", () => {
    expect(loadConfig({ METRICS_PORT: "0" }).metrics.port).toBe(0);
    expect(loadConfig({ METRICS_PORT: "" }).metrics.port).toBeUndefined();
  });

  it.each(["-1", "65536", "9464x", " 80", "1.5"])("refuses %j, naming the variable", (text) => {
    expect(problemsOf({ METRICS_PORT: text })).toMatch(
      `METRICS_PORT: "${text}" is not a port: use a number from 0 to 65535`,
    );
  });
});

describe("loadConfig: yes/no settings", () => {
  it.each(["true", "1", "yes"])("reads %j as yes", (text) => {
    const config = loadConfig({
      AXELNAC_TLS_INSECURE_SKIP_VERIFY: text,
      DELIVERY_RETRY_AMBIGUOUS: text,
    });
    expect(config.axelnac.insecureSkipTlsVerify).toBe(true);
    expect(config.delivery.retryAmbiguous).toBe(true);
  });

  it.each(["false", "0", "no"])("reads %j as no", (text) => {
    const config = loadConfig({
      AXELNAC_TLS_INSECURE_SKIP_VERIFY: text,
      DELIVERY_RETRY_AMBIGUOUS: text,
    });
    expect(config.axelnac.insecureSkipTlsVerify).toBe(false);
    expect(config.delivery.retryAmbiguous).toBe(false);
  });

  it("refuses anything else, naming the variable", () => {
    expect(problemsOf({ DELIVERY_RETRY_AMBIGUOUS: "TRUE" })).toMatch(
      /DELIVERY_RETRY_AMBIGUOUS: "TRUE" is not a yes\/no value: use true or false/,
    );
  });
});

describe("loadConfig: the appliance", () => {
  it("takes an appliance with both credentials", () => {
    expect(problemsOf(APPLIANCE)).toBeUndefined();
    expect(loadConfig({ ...APPLIANCE, AXELNAC_URL: "http://nac.example" }).axelnac.url).toBe(
      "http://nac.example",
    );
  });

  it("names only the credential that is missing", () => {
    const noUser = problemsOf({ ...APPLIANCE, AXELNAC_USERNAME: "" });
    expect(noUser).toMatch(/AXELNAC_USERNAME: required when AXELNAC_URL is set/);
    expect(noUser).not.toMatch(/AXELNAC_PASSWORD/);
    const noPassword = problemsOf({ ...APPLIANCE, AXELNAC_PASSWORD: "" });
    expect(noPassword).toMatch(/AXELNAC_PASSWORD: required when AXELNAC_URL is set/);
    expect(noPassword).not.toMatch(/AXELNAC_USERNAME/);
  });

  it("treats an empty AXELNAC_URL as unset, which the commands that talk to the appliance refuse", () => {
    const config = loadConfig({ AXELNAC_URL: "", AXELNAC_SOURCE_ID: "" });
    expect(config.axelnac.url).toBeUndefined();
    expect(config.producer.defaultSourceId).toBeUndefined();
    expect(() => requireAppliance(config)).toThrow(
      'AXELNAC_URL: not set: set it to the appliance\'s API origin (e.g. https://nac.example.org:9999), or to "simulator" for the built-in simulator (no real SMS is sent)',
    );
  });

  it("takes AXELNAC_URL=simulator: the built-in simulator, with its own credentials by default", () => {
    const config = loadConfig({ AXELNAC_URL: "simulator" });
    expect(config.axelnac).toMatchObject({
      url: "simulator",
      username: "admin",
      password: "admin",
    });
    expect(() => requireAppliance(config)).not.toThrow();
  });

  it("refuses an AXELNAC_URL that is not a URL", () => {
    expect(problemsOf({ ...APPLIANCE, AXELNAC_URL: "nac.example" })).toMatch(
      /AXELNAC_URL: must be a URL starting with https:\/\/ or http:\/\/, or "simulator" for the built-in simulator/,
    );
  });

  it("loads a CA file that holds a certificate", () => {
    const dir = mkdtempSync(join(tmpdir(), "courier-ca-"));
    try {
      const file = join(dir, "ca.pem");
      const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
      writeFileSync(file, pem);
      const config = loadConfig({ AXELNAC_CA_FILE: file });
      expect(config.axelnac.ca).toBe(pem);
      expect(config.axelnac.caFile).toBe(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("loadConfig: values out of range", () => {
  it("refuses a REDIS_URL that cannot be parsed", () => {
    expect(problemsOf({ REDIS_URL: "redis//no-colon" })).toMatch(
      /^invalid configuration:\n {2}REDIS_URL: must be a URL starting with redis:\/\/ or rediss:\/\/$/,
    );
  });

  it.each([" ", "1.5", "-2", "0", "ten"])("refuses %j as a whole number", (text) => {
    expect(problemsOf({ WORKER_CONCURRENCY: text })).toContain(
      `WORKER_CONCURRENCY: "${text}" is not a whole number of 1 or more`,
    );
  });

  it("refuses more guests per onboarding job than one appliance request should carry", () => {
    expect(problemsOf({ ONBOARD_GUESTS_PER_JOB: "251" })).toContain(
      "ONBOARD_GUESTS_PER_JOB: must be at most 250 guests per job",
    );
    expect(loadConfig({ ONBOARD_GUESTS_PER_JOB: "250" }).onboarding.guestsPerJob).toBe(250);
  });

  it("reads a rate limit only when QUEUE_RATE_LIMIT_MAX is set", () => {
    expect(loadConfig({ QUEUE_RATE_LIMIT_MAX: "" }).delivery.rateLimit).toBeUndefined();
    expect(loadConfig({ QUEUE_RATE_LIMIT_MAX: "1" }).delivery.rateLimit).toEqual({
      max: 1,
      durationMs: 1_000,
    });
    expect(problemsOf({ QUEUE_RATE_LIMIT_MAX: "0" })).toContain("QUEUE_RATE_LIMIT_MAX");
  });

  it("accepts a back-off maximum equal to the back-off, not a shorter one", () => {
    expect(problemsOf({ DELIVERY_BACKOFF: "1m", DELIVERY_BACKOFF_MAX: "1m" })).toBeUndefined();
    expect(problemsOf({ DELIVERY_BACKOFF: "1m", DELIVERY_BACKOFF_MAX: "59s" })).toMatch(
      /DELIVERY_BACKOFF_MAX: must not be shorter than DELIVERY_BACKOFF/,
    );
  });

  it("refuses a webhook back-off maximum shorter than the webhook back-off", () => {
    expect(problemsOf({ WEBHOOK_BACKOFF: "1m", WEBHOOK_BACKOFF_MAX: "1m" })).toBeUndefined();
    expect(problemsOf({ WEBHOOK_BACKOFF: "1m", WEBHOOK_BACKOFF_MAX: "59s" })).toMatch(
      /WEBHOOK_BACKOFF_MAX: must not be shorter than WEBHOOK_BACKOFF/,
    );
  });

  it("caps a throttle's pause at SYSTEMIC_PAUSE_MAX unless THROTTLE_PAUSE_MAX says otherwise", () => {
    expect(loadConfig({ SYSTEMIC_PAUSE_MAX: "2m" }).delivery.throttlePauseMaxMs).toBe(120_000);
    expect(
      loadConfig({ SYSTEMIC_PAUSE_MAX: "2m", THROTTLE_PAUSE_MAX: "" }).delivery.throttlePauseMaxMs,
    ).toBe(120_000);
    // Longer than SYSTEMIC_PAUSE_MAX is allowed: an appliance may rightly ask for a long pause.
    expect(
      loadConfig({ SYSTEMIC_PAUSE_MAX: "2m", THROTTLE_PAUSE_MAX: "1h" }).delivery
        .throttlePauseMaxMs,
    ).toBe(3_600_000);
    expect(loadConfig({ THROTTLE_PAUSE_MAX: "1ms" }).delivery.throttlePauseMaxMs).toBe(1);
  });

  it("refuses a THROTTLE_PAUSE_MAX of 0 or one that is not a duration", () => {
    expect(problemsOf({ THROTTLE_PAUSE_MAX: "0s" })).toBe(
      "invalid configuration:\n  THROTTLE_PAUSE_MAX: must be longer than 0 (unset, it is SYSTEMIC_PAUSE_MAX)",
    );
    expect(problemsOf({ THROTTLE_PAUSE_MAX: "a day" })).toMatch(
      /^invalid configuration:\n {2}THROTTLE_PAUSE_MAX: "a day" is not a duration/,
    );
  });

  it("refuses an IDEMPOTENCY_TTL of 0: a response must be kept for some time", () => {
    expect(problemsOf({ IDEMPOTENCY_TTL: "0s" })).toBe(
      "invalid configuration:\n  IDEMPOTENCY_TTL: must be longer than 0",
    );
    expect(loadConfig({ IDEMPOTENCY_TTL: "1ms" }).idempotency.ttlMs).toBe(1);
  });

  it("accepts a refresh margin just shorter than the token's lifetime", () => {
    expect(
      problemsOf({ AXELNAC_TOKEN_MAX_LIFETIME: "61s", AXELNAC_TOKEN_REFRESH_MARGIN: "1m" }),
    ).toBeUndefined();
  });

  it("wants a duplicate-key secret of at least 16 characters", () => {
    expect(problemsOf({ DUPLICATE_KEY_SECRET: "x".repeat(16) })).toBeUndefined();
    expect(problemsOf({ DUPLICATE_KEY_SECRET: "x".repeat(15) })).toMatch(
      /DUPLICATE_KEY_SECRET: must be at least 16 characters/,
    );
    expect(loadConfig({ DUPLICATE_KEY_SECRET: "" }).producer.duplicateKeySecret).toBeUndefined();
  });

  it.each(["REDIS_KEY_PREFIX", "QUEUE_NAME", "QUEUE_PREFIX"])("refuses an empty %s", (name) => {
    expect(problemsOf({ [name]: "" })).toContain(`${name}:`);
  });

  it("names the log format choices", () => {
    expect(problemsOf({ LOG_FORMAT: "xml" })).toMatch(
      /LOG_FORMAT: "xml" is not a log format: use auto, json or pretty/,
    );
  });
});

describe("simulatorCredentialsFromEnv", () => {
  it("uses the worker's variables, and admin/admin when they are unset or empty", () => {
    expect(simulatorCredentialsFromEnv({})).toEqual({ username: "admin", password: "admin" });
    expect(simulatorCredentialsFromEnv({ AXELNAC_USERNAME: "", AXELNAC_PASSWORD: "" })).toEqual({
      username: "admin",
      password: "admin",
    });
    expect(simulatorCredentialsFromEnv(APPLIANCE)).toEqual({
      username: "api",
      password: "Api-Pa55",
    });
  });
});

describe("loadConfig: log settings", () => {
  it.each(["fatal", "error", "warn", "info", "debug", "trace", "silent"])(
    "takes the log level %s",
    (level) => {
      expect(loadConfig({ LOG_LEVEL: level }).log.level).toBe(level);
    },
  );

  it.each(["auto", "json", "pretty"])("takes the log format %s", (format) => {
    expect(loadConfig({ LOG_FORMAT: format }).log.format).toBe(format);
  });
});

describe("ConfigError", () => {
  it("is named, and lists one problem per line", () => {
    try {
      loadConfig({ WORKER_CONCURRENCY: "0", LOG_LEVEL: "loud" });
      throw new Error("expected a ConfigError");
    } catch (error) {
      expect((error as Error).name).toBe("ConfigError");
      expect((error as Error).message).toBe(
        'invalid configuration:\n  WORKER_CONCURRENCY: "0" is not a whole number of 1 or more\n' +
          '  LOG_LEVEL: "loud" is not a log level: use fatal, error, warn, info, debug, trace or silent',
      );
    }
  });
});
