import { join } from "node:path";
import { sealJobPassword } from "../src/jobs/job-password";
import type { DeliveryJob } from "../src/jobs/job-schema";
import { generateKeyEntry, KeyRing } from "../src/secrets";
import type { WorkerLaunch } from "./worker-process";

/** The repository, from dist/bench where this file runs compiled. */
const REPO_ROOT = join(__dirname, "..", "..");

export type VariantId = "courier" | "bare";

export interface Variant {
  id: VariantId;
  /** What the table calls it. */
  label: string;
  logLevel: string;
  /** How the worker process is started for one run. */
  launch(target: LaunchTarget): WorkerLaunch;
  /** The job data as this variant's producer writes it. */
  jobData(jobs: readonly DeliveryJob[]): DeliveryJob[];
}

/**
 * The courier runs as it should in production: passwords sealed at rest (JOB_ENCRYPTION_KEYS),
 * opened by the worker for every delivery. Sealing is the producer's work, done before the timed
 * window; the bare worker reads plaintext.
 */
const BENCH_KEY_ENTRY = generateKeyEntry();
const BENCH_RING = KeyRing.parse(BENCH_KEY_ENTRY);

export interface LaunchTarget {
  redisUrl: string;
  queueName: string;
  applianceUrl: string;
  username: string;
  password: string;
  concurrency: number;
  logFile: string;
  cpuProfDir: string | undefined;
}

/**
 * The settings both workers get. Connections equal concurrency on both sides, so that neither
 * queues requests inside its HTTP pool; AXELNAC_MAX_IN_FLIGHT equal to the concurrency makes the
 * fleet-wide cap as wide as the bare worker's (it still costs its Redis check per job).
 */
function environment(target: LaunchTarget, logLevel: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    REDIS_URL: target.redisUrl,
    QUEUE_NAME: target.queueName,
    AXELNAC_URL: target.applianceUrl,
    AXELNAC_USERNAME: target.username,
    AXELNAC_PASSWORD: target.password,
    WORKER_CONCURRENCY: String(target.concurrency),
    AXELNAC_MAX_IN_FLIGHT: String(target.concurrency),
    AXELNAC_MAX_CONNECTIONS: String(target.concurrency),
    LOG_LEVEL: logLevel,
    LOG_FORMAT: "json",
  };
}

export function courierVariant(logLevel: string, sealed: boolean): Variant {
  const label = [
    sealed ? "sealed" : "plaintext",
    ...(logLevel === "warn" ? [] : [`LOG_LEVEL=${logLevel}`]),
  ];
  return {
    id: "courier",
    label: `courier (${label.join(", ")})`,
    logLevel,
    launch: (target) => ({
      args: [join(REPO_ROOT, "dist", "src", "cli", "main.js"), "worker"],
      env: {
        ...environment(target, logLevel),
        ...(sealed ? { JOB_ENCRYPTION_KEYS: BENCH_KEY_ENTRY } : {}),
      },
      logFile: target.logFile,
      cpuProfDir: target.cpuProfDir,
    }),
    jobData: (jobs) => (sealed ? jobs.map((job) => sealJobPassword(job, BENCH_RING)) : [...jobs]),
  };
}

export const BARE_VARIANT: Variant = {
  id: "bare",
  label: "bare BullMQ + undici",
  logLevel: "-",
  launch: (target) => ({
    args: [join(__dirname, "bare-worker.js")],
    env: environment(target, "warn"),
    logFile: target.logFile,
    cpuProfDir: target.cpuProfDir,
  }),
  jobData: (jobs) => [...jobs],
};
