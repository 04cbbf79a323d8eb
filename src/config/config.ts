import { readFileSync } from "node:fs";
import { KeyRing, KeyRingError } from "../secrets/key-ring";
import { type RedisTarget, readRedisTarget } from "./redis-target";
import { BUILT_IN_SIMULATOR, type RawSettings, settingsSchema } from "./schema";
import { readServeTls } from "./serve-tls";

export { BUILT_IN_SIMULATOR } from "./schema";

/** Raised when a setting is missing or malformed; its message names every offending variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly code = "COURIER_CONFIG_INVALID";
}

export interface AxelnacTarget {
  /**
   * AXELNAC_URL: the appliance's API origin, or BUILT_IN_SIMULATOR for a simulator started in the
   * command's process. Absent when unset: the commands that talk to the appliance refuse to start
   * (`requireAppliance`), rather than quietly deliver to a simulator.
   */
  url: string | undefined;
  username: string;
  password: string;
  /** PEM text of the CA that signed the appliance's certificate (AXELNAC_CA_FILE). */
  ca: string | undefined;
  caFile: string | undefined;
  insecureSkipTlsVerify: boolean;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
}

export interface TokenSettings {
  idleTimeoutMs: number;
  maxLifetimeMs: number;
  refreshMarginMs: number;
  loginBackoffMaxMs: number;
}

export interface QueueSettings {
  name: string;
  /** BullMQ's key prefix; `bull` is BullMQ's own default, so a plain producer needs no setting. */
  prefix: string;
}

export interface DeliverySettings {
  /** Jobs one worker process works on at once. */
  concurrency: number;
  /** Requests at the appliance across the whole fleet (BullMQ global concurrency). */
  maxInFlight: number;
  rateLimit: { max: number; durationMs: number } | undefined;
  attempts: number;
  backoffMs: number;
  backoffMaxMs: number;
  retryAmbiguous: boolean;
  systemicPauseMaxMs: number;
  /** Longest fleet-wide pause a 429's Retry-After may impose; a longer request is capped to it. */
  throttlePauseMaxMs: number;
  failedRetentionMs: number;
  lockDurationMs: number;
  shutdownTimeoutMs: number;
}

/** Outcome webhooks (src/webhooks/): how a POST the receiver refuses is retried. */
export interface WebhookSettings {
  /** Attempts in all, the first included. */
  attempts: number;
  backoffMs: number;
  backoffMaxMs: number;
}

export interface ProducerSettings {
  defaultSourceId: string | undefined;
  duplicateWindowMs: number;
  duplicateKeySecret: string | undefined;
}

/** What `onboard` takes from the environment; its flags win. */
export interface OnboardingSettings {
  /** AXELNAC_TIME_ZONE: the appliance's IANA time zone, in which it keeps validity dates. */
  applianceTimeZone: string | undefined;
  /** ONBOARD_PHONE_REGION: the country of numbers written without a country code. */
  phoneRegion: string | undefined;
  /** ONBOARD_GUESTS_PER_JOB: guests per onboarding job, i.e. per users/bulk_import request. */
  guestsPerJob: number;
}

/** The HTTP API's Idempotency-Key layer (src/serve/idempotency). */
export interface IdempotencySettings {
  /** IDEMPOTENCY_TTL: how long a response is replayed to a retry under the same key. */
  ttlMs: number;
}

export interface EncryptionSettings {
  /** The key ring (JOB_ENCRYPTION_KEYS or _FILE); absent, secrets are kept in plaintext. */
  ring: KeyRing | undefined;
  /** JOB_ENCRYPTION_REQUIRED: jobs with a plaintext password fail at once. */
  plaintextRefused: boolean;
}

/** What `serve` (the HTTP API) listens on, accepts, and allows each API key. */
export interface ServeSettings {
  host: string;
  /** 0: a free port the system picks (the start log line says which). */
  port: number;
  /** PEM certificate chain and key (SERVE_TLS_CERT_FILE, SERVE_TLS_KEY_FILE): HTTPS when set. */
  tls: { cert: string; key: string; certFile: string } | undefined;
  /** Longest JSON body accepted, in bytes. */
  bodyLimitBytes: number;
  /** Requests per API key (per client address without a key) per window. */
  rateLimit: { max: number; windowMs: number };
  /**
   * SERVE_SHUTDOWN_DELAY: how long `serve`, once told to stop, keeps listening with /readyz
   * answering 503, so that a load balancer stops sending it requests before it closes.
   */
  shutdownDelayMs: number;
}

/** The delivery history (src/history/). */
export interface HistorySettings {
  /** HISTORY_RETENTION: how long a delivery's record is kept; undefined when `off`. */
  retentionMs: number | undefined;
}

/** Where the worker serves /metrics, /livez and /readyz (README, "Metrics and health"). */
export interface MetricsSettings {
  /** METRICS_PORT; unset, the worker serves none. 0: a free port, logged at start. */
  port: number | undefined;
  host: string;
}

export interface Config {
  redis: RedisTarget;
  redisKeyPrefix: string;
  axelnac: AxelnacTarget;
  token: TokenSettings;
  queue: QueueSettings;
  delivery: DeliverySettings;
  webhooks: WebhookSettings;
  producer: ProducerSettings;
  idempotency: IdempotencySettings;
  onboarding: OnboardingSettings;
  encryption: EncryptionSettings;
  serve: ServeSettings;
  history: HistorySettings;
  metrics: MetricsSettings;
  /** `levelIsDefault`: LOG_LEVEL was not set, so a command may choose a quieter level. */
  log: { level: string; levelIsDefault: boolean; format: "auto" | "json" | "pretty" };
}

/** The simulator's credentials when none are configured, also used by the commands to reach it. */
export const SIMULATOR_DEFAULT_CREDENTIALS = { username: "admin", password: "admin" } as const;

/**
 * The one place that reads the environment. Everything else receives a `Config`.
 * Throws `ConfigError` naming each bad variable and what is wrong with it.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    // Stryker disable next-line StringLiteral: every setting is a top-level key, so a path has one segment and no separator
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  return toConfig(parsed.data, !env.LOG_LEVEL);
}

function toConfig(s: RawSettings, logLevelIsDefault: boolean): Config {
  const problems: string[] = [];
  const redis = readRedisTarget(s, problems);
  if (s.AXELNAC_URL && s.AXELNAC_URL !== BUILT_IN_SIMULATOR) {
    if (!s.AXELNAC_USERNAME) problems.push("  AXELNAC_USERNAME: required when AXELNAC_URL is set");
    if (!s.AXELNAC_PASSWORD) problems.push("  AXELNAC_PASSWORD: required when AXELNAC_URL is set");
  }
  if (s.AXELNAC_TOKEN_MAX_LIFETIME <= s.AXELNAC_TOKEN_REFRESH_MARGIN) {
    problems.push(
      "  AXELNAC_TOKEN_REFRESH_MARGIN: must be shorter than AXELNAC_TOKEN_MAX_LIFETIME",
    );
  }
  let ca: string | undefined;
  if (s.AXELNAC_CA_FILE) {
    try {
      ca = readFileSync(s.AXELNAC_CA_FILE, "utf8");
      if (!ca.includes("-----BEGIN CERTIFICATE-----")) {
        problems.push(`  AXELNAC_CA_FILE: ${s.AXELNAC_CA_FILE} holds no PEM certificate`);
      }
    } catch (error) {
      problems.push(
        `  AXELNAC_CA_FILE: cannot read ${s.AXELNAC_CA_FILE} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  }
  if (s.DELIVERY_BACKOFF_MAX < s.DELIVERY_BACKOFF) {
    problems.push("  DELIVERY_BACKOFF_MAX: must not be shorter than DELIVERY_BACKOFF");
  }
  if (s.IDEMPOTENCY_TTL === 0) {
    problems.push("  IDEMPOTENCY_TTL: must be longer than 0");
  }
  if (s.WEBHOOK_BACKOFF_MAX < s.WEBHOOK_BACKOFF) {
    problems.push("  WEBHOOK_BACKOFF_MAX: must not be shorter than WEBHOOK_BACKOFF");
  }
  if (s.THROTTLE_PAUSE_MAX === 0) {
    problems.push("  THROTTLE_PAUSE_MAX: must be longer than 0 (unset, it is SYSTEMIC_PAUSE_MAX)");
  }
  const serveTls = readServeTls(s, problems);
  const ring = readKeyRing(s, problems);
  if (s.JOB_ENCRYPTION_REQUIRED && !ring && !hasRingSetting(s)) {
    problems.push(
      "  JOB_ENCRYPTION_REQUIRED: needs a key ring: set JOB_ENCRYPTION_KEYS or JOB_ENCRYPTION_KEYS_FILE",
    );
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.join("\n")}`);

  return {
    redis,
    redisKeyPrefix: s.REDIS_KEY_PREFIX,
    axelnac: {
      url: s.AXELNAC_URL,
      username: s.AXELNAC_USERNAME ?? SIMULATOR_DEFAULT_CREDENTIALS.username,
      password: s.AXELNAC_PASSWORD ?? SIMULATOR_DEFAULT_CREDENTIALS.password,
      ca,
      caFile: s.AXELNAC_CA_FILE,
      insecureSkipTlsVerify: s.AXELNAC_TLS_INSECURE_SKIP_VERIFY,
      connectTimeoutMs: s.AXELNAC_CONNECT_TIMEOUT,
      requestTimeoutMs: s.AXELNAC_REQUEST_TIMEOUT,
      maxConnections: s.AXELNAC_MAX_CONNECTIONS,
    },
    token: {
      idleTimeoutMs: s.AXELNAC_TOKEN_IDLE_TIMEOUT,
      maxLifetimeMs: s.AXELNAC_TOKEN_MAX_LIFETIME,
      refreshMarginMs: s.AXELNAC_TOKEN_REFRESH_MARGIN,
      loginBackoffMaxMs: s.AXELNAC_LOGIN_BACKOFF_MAX,
    },
    queue: { name: s.QUEUE_NAME, prefix: s.QUEUE_PREFIX },
    delivery: {
      concurrency: s.WORKER_CONCURRENCY,
      maxInFlight: s.AXELNAC_MAX_IN_FLIGHT,
      rateLimit: s.QUEUE_RATE_LIMIT_MAX
        ? { max: s.QUEUE_RATE_LIMIT_MAX, durationMs: s.QUEUE_RATE_LIMIT_DURATION }
        : undefined,
      attempts: s.DELIVERY_ATTEMPTS,
      backoffMs: s.DELIVERY_BACKOFF,
      backoffMaxMs: s.DELIVERY_BACKOFF_MAX,
      retryAmbiguous: s.DELIVERY_RETRY_AMBIGUOUS,
      systemicPauseMaxMs: s.SYSTEMIC_PAUSE_MAX,
      throttlePauseMaxMs: s.THROTTLE_PAUSE_MAX ?? s.SYSTEMIC_PAUSE_MAX,
      failedRetentionMs: s.FAILED_JOB_RETENTION,
      lockDurationMs: s.WORKER_LOCK_DURATION,
      shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT,
    },
    webhooks: {
      attempts: s.WEBHOOK_ATTEMPTS,
      backoffMs: s.WEBHOOK_BACKOFF,
      backoffMaxMs: s.WEBHOOK_BACKOFF_MAX,
    },
    producer: {
      defaultSourceId: s.AXELNAC_SOURCE_ID,
      duplicateWindowMs: s.DUPLICATE_WINDOW,
      duplicateKeySecret: s.DUPLICATE_KEY_SECRET,
    },
    idempotency: { ttlMs: s.IDEMPOTENCY_TTL },
    onboarding: {
      applianceTimeZone: s.AXELNAC_TIME_ZONE,
      phoneRegion: s.ONBOARD_PHONE_REGION,
      guestsPerJob: s.ONBOARD_GUESTS_PER_JOB,
    },
    encryption: { ring, plaintextRefused: s.JOB_ENCRYPTION_REQUIRED },
    serve: {
      host: s.SERVE_HOST,
      port: s.SERVE_PORT,
      tls: serveTls,
      bodyLimitBytes: s.SERVE_BODY_LIMIT,
      rateLimit: { max: s.API_RATE_LIMIT, windowMs: s.API_RATE_LIMIT_WINDOW },
      shutdownDelayMs: s.SERVE_SHUTDOWN_DELAY,
    },
    history: { retentionMs: s.HISTORY_RETENTION === 0 ? undefined : s.HISTORY_RETENTION },
    metrics: { port: s.METRICS_PORT, host: s.METRICS_HOST },
    log: { level: s.LOG_LEVEL, levelIsDefault: logLevelIsDefault, format: s.LOG_FORMAT },
  };
}

function hasRingSetting(s: RawSettings): boolean {
  return s.JOB_ENCRYPTION_KEYS !== undefined || s.JOB_ENCRYPTION_KEYS_FILE !== undefined;
}

/**
 * The ring from JOB_ENCRYPTION_KEYS, or from the file JOB_ENCRYPTION_KEYS_FILE names (a Docker or
 * Kubernetes secret). Problems name the variable and the entry; no message ever quotes a key.
 */
function readKeyRing(s: RawSettings, problems: string[]): KeyRing | undefined {
  if (s.JOB_ENCRYPTION_KEYS !== undefined && s.JOB_ENCRYPTION_KEYS_FILE !== undefined) {
    problems.push("  JOB_ENCRYPTION_KEYS_FILE: set either it or JOB_ENCRYPTION_KEYS, not both");
    return undefined;
  }
  let variable = "JOB_ENCRYPTION_KEYS";
  let text = s.JOB_ENCRYPTION_KEYS;
  if (s.JOB_ENCRYPTION_KEYS_FILE !== undefined) {
    variable = "JOB_ENCRYPTION_KEYS_FILE";
    try {
      text = readFileSync(s.JOB_ENCRYPTION_KEYS_FILE, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(`  ${variable}: cannot read ${s.JOB_ENCRYPTION_KEYS_FILE} (${code})`);
      return undefined;
    }
  }
  if (text === undefined) return undefined;
  try {
    return KeyRing.parse(text);
  } catch (error) {
    if (!(error instanceof KeyRingError)) throw error;
    problems.push(`  ${variable}: ${error.message}`);
    return undefined;
  }
}

/**
 * For the commands that talk to the appliance (worker, check, import --verify-guests): AXELNAC_URL
 * must say which, a real one or the simulator. Unset, a worker would deliver nothing real without
 * a word; it is a configuration error instead (exit 2).
 */
export function requireAppliance(config: Config): void {
  if (config.axelnac.url !== undefined) return;
  throw new ConfigError(
    `invalid configuration:\n  AXELNAC_URL: not set: set it to the appliance's API origin (e.g. https://nac.example.org:9999), or to "${BUILT_IN_SIMULATOR}" for the built-in simulator (no real SMS is sent)`,
  );
}

/** Credentials the simulator command uses when given no flags: the same variables as the worker. */
export function simulatorCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): {
  username: string;
  password: string;
} {
  return {
    username: env.AXELNAC_USERNAME || SIMULATOR_DEFAULT_CREDENTIALS.username,
    password: env.AXELNAC_PASSWORD || SIMULATOR_DEFAULT_CREDENTIALS.password,
  };
}
