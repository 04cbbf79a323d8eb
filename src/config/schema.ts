import { z } from "zod";
import { MAX_GUESTS_PER_JOB } from "../jobs/guest-accounts-job";
import { parseByteSize } from "./byte-size";
import { parseDuration } from "./duration";

function toDuration(text: string, ctx: z.RefinementCtx): number {
  try {
    return parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
}

/** A duration setting: `15m`, `12h`, `30s`, `500ms` or plain milliseconds. */
export const duration = (fallback: string) => z.string().default(fallback).transform(toDuration);

const wholeNumber = z.string().transform((text, ctx) => {
  const value = Number(text);
  // Number("") and Number(" ") are 0: a blank value is refused by the same test.
  if (!Number.isInteger(value) || value < 1) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a whole number of 1 or more` });
    return z.NEVER;
  }
  return value;
});

/** A TCP port to listen on: 0 asks the system for a free one. */
const port = z.string().transform((text, ctx) => {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 65_535) {
    ctx.addIssue({
      code: "custom",
      message: `"${text}" is not a port: use a number from 0 to 65535`,
    });
    return z.NEVER;
  }
  return value;
});

const positiveInt = (fallback: number) => z.string().default(String(fallback)).pipe(wholeNumber);

/** A TCP port to listen on; 0 asks the system for a free one (tests, and a log line says which). */
const listenPort = (fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((text, ctx) => {
      const value = Number(text);
      if (text.trim() === "" || !Number.isInteger(value) || value < 0 || value > 65_535) {
        ctx.addIssue({ code: "custom", message: `"${text}" is not a port: use 0 to 65535` });
        return z.NEVER;
      }
      return value;
    });

/** A size in bytes: `1048576`, `512KiB`, `1MiB`. */
const byteSize = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      try {
        return parseByteSize(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    });

const flagDefault = (fallback: "true" | "false") =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], {
      error: (issue) => `"${String(issue.input)}" is not a yes/no value: use true or false`,
    })
    .default(fallback)
    .transform((text) => text === "true" || text === "1" || text === "yes");
const flag = flagDefault("false");

const url = (protocols: string[]) =>
  z.string().refine(
    (text) => {
      // Stryker disable BlockStatement: an empty catch block returns undefined, which refine reads as false too (the try block's own mutant is ignored with it)
      try {
        return protocols.includes(new URL(text).protocol);
      } catch {
        return false;
      }
      // Stryker restore BlockStatement
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}` },
  );

const emptyAsUnset = (value: unknown) => (value === "" ? undefined : value);

/** AXELNAC_URL's value that asks for the built-in simulator, started in the command's own process. */
export const BUILT_IN_SIMULATOR = "simulator";

const applianceUrl = z
  .string()
  .refine(
    (text) => text === BUILT_IN_SIMULATOR || url(["https:", "http:"]).safeParse(text).success,
    {
      message: `must be a URL starting with https:// or http://, or "${BUILT_IN_SIMULATOR}" for the built-in simulator`,
    },
  );

/**
 * HISTORY_RETENTION: a duration of 1 s or more, or `off` (or `0`): the workers keep no history.
 * Off reads as 0.
 */
const retention = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      if (text.trim().toLowerCase() === "off") return 0;
      const ms = toDuration(text, ctx);
      if (ms > 0 && ms < 1_000) {
        ctx.addIssue({ code: "custom", message: "must be at least 1s, or off to keep no history" });
        return z.NEVER;
      }
      return ms;
    });

/** A duration setting whose default is another setting's value (config.ts). */
const durationOrUnset = z.preprocess(emptyAsUnset, z.string().transform(toDuration).optional());

/**
 * Every environment setting of axelnac-courier, with its default. Keep in step with the README's
 * settings table and `.env.example`.
 */
export const settingsSchema = z.object({
  REDIS_URL: url(["redis:", "rediss:"]).default("redis://127.0.0.1:6379"),
  REDIS_KEY_PREFIX: z.string().min(1).default("axelnac-courier"),
  REDIS_CA_FILE: z.preprocess(emptyAsUnset, z.string().optional()),
  REDIS_CERT_FILE: z.preprocess(emptyAsUnset, z.string().optional()),
  REDIS_KEY_FILE: z.preprocess(emptyAsUnset, z.string().optional()),

  AXELNAC_URL: z.preprocess(emptyAsUnset, applianceUrl.optional()),
  AXELNAC_USERNAME: z.preprocess(emptyAsUnset, z.string().optional()),
  AXELNAC_PASSWORD: z.preprocess(emptyAsUnset, z.string().optional()),
  AXELNAC_CA_FILE: z.preprocess(emptyAsUnset, z.string().optional()),
  AXELNAC_TLS_INSECURE_SKIP_VERIFY: flag,
  AXELNAC_CONNECT_TIMEOUT: duration("10s"),
  AXELNAC_REQUEST_TIMEOUT: duration("30s"),
  AXELNAC_MAX_CONNECTIONS: positiveInt(8),

  AXELNAC_TOKEN_IDLE_TIMEOUT: duration("15m"),
  AXELNAC_TOKEN_MAX_LIFETIME: duration("12h"),
  AXELNAC_TOKEN_REFRESH_MARGIN: duration("1m"),
  AXELNAC_LOGIN_BACKOFF_MAX: duration("5m"),

  AXELNAC_SOURCE_ID: z.preprocess(emptyAsUnset, z.string().optional()),
  AXELNAC_TIME_ZONE: z.preprocess(emptyAsUnset, z.string().optional()),
  ONBOARD_PHONE_REGION: z.preprocess(emptyAsUnset, z.string().optional()),
  ONBOARD_GUESTS_PER_JOB: positiveInt(25).pipe(
    z.number().max(MAX_GUESTS_PER_JOB, `must be at most ${MAX_GUESTS_PER_JOB} guests per job`),
  ),

  QUEUE_NAME: z.string().min(1).default("axelnac-credentials"),
  QUEUE_PREFIX: z.string().min(1).default("bull"),
  WORKER_CONCURRENCY: positiveInt(10),
  AXELNAC_MAX_IN_FLIGHT: positiveInt(8),
  QUEUE_RATE_LIMIT_MAX: z.preprocess(emptyAsUnset, wholeNumber.optional()),
  QUEUE_RATE_LIMIT_DURATION: duration("1s"),
  DELIVERY_ATTEMPTS: positiveInt(10),
  DELIVERY_BACKOFF: duration("5s"),
  DELIVERY_BACKOFF_MAX: duration("10m"),
  DELIVERY_RETRY_AMBIGUOUS: flagDefault("true"),
  SYSTEMIC_PAUSE_MAX: duration("5m"),
  THROTTLE_PAUSE_MAX: durationOrUnset,
  DUPLICATE_WINDOW: duration("24h"),
  DUPLICATE_KEY_SECRET: z.preprocess(
    emptyAsUnset,
    z.string().min(16, "must be at least 16 characters").optional(),
  ),
  IDEMPOTENCY_TTL: duration("24h"),
  JOB_ENCRYPTION_KEYS: z.preprocess(emptyAsUnset, z.string().optional()),
  JOB_ENCRYPTION_KEYS_FILE: z.preprocess(emptyAsUnset, z.string().optional()),
  JOB_ENCRYPTION_REQUIRED: flag,
  FAILED_JOB_RETENTION: duration("30d"),
  HISTORY_RETENTION: retention("90d"),
  WORKER_LOCK_DURATION: duration("30s"),
  SHUTDOWN_TIMEOUT: duration("30s"),
  METRICS_PORT: z.preprocess(emptyAsUnset, port.optional()),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),

  SERVE_HOST: z.string().min(1).default("127.0.0.1"),
  SERVE_PORT: listenPort(8080),
  SERVE_TLS_CERT_FILE: z.preprocess(emptyAsUnset, z.string().optional()),
  SERVE_TLS_KEY_FILE: z.preprocess(emptyAsUnset, z.string().optional()),
  SERVE_BODY_LIMIT: byteSize("1MiB"),
  SERVE_SHUTDOWN_DELAY: duration("5s"),
  API_RATE_LIMIT: positiveInt(600),
  API_RATE_LIMIT_WINDOW: duration("1m"),
  WEBHOOK_ATTEMPTS: positiveInt(12),
  WEBHOOK_BACKOFF: duration("10s"),
  WEBHOOK_BACKOFF_MAX: duration("1h"),

  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: (issue) =>
        `"${String(issue.input)}" is not a log level: use fatal, error, warn, info, debug, trace or silent`,
    })
    .default("info"),
  LOG_FORMAT: z
    .enum(["auto", "json", "pretty"], {
      error: (issue) => `"${String(issue.input)}" is not a log format: use auto, json or pretty`,
    })
    .default("auto"),
});

export type RawSettings = z.output<typeof settingsSchema>;
