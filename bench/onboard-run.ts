import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Queue } from "bullmq";
import type Redis from "ioredis";
import { readAccountCounts } from "../src/batches/account-counts";
import { batchKeys } from "../src/batches/batch-keys";
import { ONBOARDING_JOB_PRIORITY } from "../src/jobs/guest-accounts-job";
import { writeGuestAccounts } from "../src/producer/guest-accounts-writer";
import type { SentSms, Simulator } from "../src/simulator";
import type { ApplianceLoadMeter } from "./appliance-load";
import { tail } from "./measure";
import { benchGuests, onboardingJobs } from "./onboard-guests";
import { sleep, spawnWorker, type WorkerProcess, waitUntilWaitingForJobs } from "./worker-process";

export interface OnboardContext {
  redis: Redis;
  redisUrl: string;
  simulator: Simulator;
  meter: ApplianceLoadMeter;
  credentials: { username: string; password: string };
  /** JOB_ENCRYPTION_KEYS of the workers: passwords sealed at rest, as in production. */
  keyEntry: string;
  logDir: string;
  runTimeoutMs: number;
}

export interface OnboardRun {
  /** 0 for the warm-up. */
  run: number;
  chunkSize: number;
  guests: number;
  jobs: number;
  /** The write of every onboarding job, in one transaction. */
  writeMs: number;
  /** From the start of the write to the last guest's SMS accepted. */
  seconds: number;
  guestsPerSecond: number;
  /** From the start of the write to the first SMS accepted. */
  firstSmsSeconds: number;
  /** Per-guest latency, from the start of the write to its SMS accepted. */
  p50Seconds: number;
  p95Seconds: number;
  bulkImports: number;
  sends: number;
  /** Logins and token checks: the fleet's token is kept in Redis from run to run. */
  frontEndRequests: number;
  /** Share of the appliance's API workers busy in the window, 0..1. */
  busyShare: number;
  workerCpuMs: number;
}

/** The fleet's default settings: two workers sharing the appliance's 8 slots. */
const WORKERS = 2;
const WORKER_CONCURRENCY = 10;
const MAX_IN_FLIGHT = 8;
const KEY_PREFIX = "axelnac-courier-bench";
const BATCH_ID = "onboard-bench";
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;
const REPO_ROOT = join(__dirname, "..", "..");

/**
 * One timed run: two fresh workers on a fresh queue wait for jobs; the window opens as the
 * onboarding jobs are written and closes when the simulator has accepted every guest's SMS. Then
 * the queue must drain and every guest hold exactly one SMS with its current password.
 */
export async function measureOnboarding(
  ctx: OnboardContext,
  chunkSize: number,
  guestCount: number,
  run: number,
): Promise<OnboardRun> {
  ctx.simulator.resetCounters();
  const queueName = `bench-onboard-${chunkSize}-${run}-${randomUUID().slice(0, 8)}`;
  const queue = new Queue(queueName, { connection: ctx.redis });
  const workers: WorkerProcess[] = [];
  try {
    for (let i = 1; i <= WORKERS; i++) {
      workers.push(spawnWorker(launch(ctx, queueName, join(ctx.logDir, `${queueName}-${i}.log`))));
    }
    try {
      const measured = await timeWindow(ctx, queue, workers, chunkSize, guestCount);
      return { run, chunkSize, guests: guestCount, ...measured };
    } catch (error) {
      const logs = workers.map((_, i) => tail(join(ctx.logDir, `${queueName}-${i + 1}.log`)));
      throw new Error(
        `chunk size ${chunkSize}, run ${run}: ${(error as Error).message}\n${logs.join("\n")}`,
      );
    } finally {
      await Promise.all(workers.map((worker) => worker.stop(STOP_TIMEOUT_MS)));
    }
  } finally {
    await queue.close();
  }
}

function launch(ctx: OnboardContext, queueName: string, logFile: string) {
  return {
    args: [join(REPO_ROOT, "dist", "src", "cli", "main.js"), "worker"],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      REDIS_URL: ctx.redisUrl,
      REDIS_KEY_PREFIX: KEY_PREFIX,
      QUEUE_NAME: queueName,
      AXELNAC_URL: ctx.simulator.url,
      AXELNAC_USERNAME: ctx.credentials.username,
      AXELNAC_PASSWORD: ctx.credentials.password,
      WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
      AXELNAC_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
      JOB_ENCRYPTION_KEYS: ctx.keyEntry,
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
    },
    logFile,
    cpuProfDir: undefined,
  };
}

type Measured = Omit<OnboardRun, "run" | "chunkSize" | "guests">;

async function timeWindow(
  ctx: OnboardContext,
  queue: Queue,
  workers: WorkerProcess[],
  chunkSize: number,
  guestCount: number,
): Promise<Measured> {
  const guests = benchGuests(guestCount);
  const jobs = onboardingJobs(BATCH_ID, guests, chunkSize);
  const keys = batchKeys(KEY_PREFIX, queue.name);
  await waitUntilWaitingForJobs(ctx.redis, workers, READY_TIMEOUT_MS);
  const cpuBefore = workerCpuMs(workers);

  ctx.meter.reset();
  const startedAt = Date.now();
  const started = performance.now();
  await writeGuestAccounts(queue, jobs, {
    keys,
    keyRing: undefined,
    failedRetentionMs: 86_400_000,
    priority: ONBOARDING_JOB_PRIORITY,
  });
  const writeMs = performance.now() - started;
  const deadline = Date.now() + ctx.runTimeoutMs;
  await untilSent(ctx.simulator, guestCount, workers, deadline);
  const load = ctx.meter.read();
  const cpuMs = workerCpuMs(workers) - cpuBefore;
  await untilDrained(queue, deadline);

  const outbox = ctx.simulator.outbox();
  checkEveryGuestOnce(
    outbox,
    guests.map((guest) => guest.pid),
  );
  const counts = await readAccountCounts(ctx.redis, keys, BATCH_ID);
  if (counts?.created !== guestCount || counts.pending !== 0) {
    throw new Error(`account counts ${JSON.stringify(counts)} for ${guestCount} new guests`);
  }
  const latencies = outbox.map((sms) => (Date.parse(sms.at) - startedAt) / 1_000);
  latencies.sort((a, b) => a - b);
  const seconds = latencies.at(-1) ?? Number.NaN;
  return {
    jobs: jobs.length,
    writeMs,
    seconds,
    guestsPerSecond: guestCount / seconds,
    firstSmsSeconds: latencies[0] ?? Number.NaN,
    p50Seconds: percentile(latencies, 0.5),
    p95Seconds: percentile(latencies, 0.95),
    bulkImports: load.bulkImports,
    sends: load.sends,
    frontEndRequests: load.frontEnd,
    busyShare: load.busyShare,
    workerCpuMs: cpuMs,
  };
}

/** Nearest rank, of values sorted in ascending order. */
function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
}

function workerCpuMs(workers: readonly WorkerProcess[]): number {
  return workers.reduce((sum, worker) => sum + worker.cpuMs(), 0);
}

/** Fails unless every guest got exactly one SMS, carrying the password the appliance holds. */
function checkEveryGuestOnce(outbox: readonly SentSms[], pids: readonly string[]): void {
  const expected = new Set(pids);
  const seen = new Map<string, number>();
  for (const sms of outbox) seen.set(sms.pid, (seen.get(sms.pid) ?? 0) + 1);
  const problems: string[] = [];
  const missing = pids.filter((pid) => !seen.has(pid));
  const twice = [...seen].filter(([, count]) => count > 1).map(([pid]) => pid);
  const strangers = [...seen.keys()].filter((pid) => !expected.has(pid));
  const stale = outbox.filter((sms) => sms.passwordIsCurrent !== true).map((sms) => sms.pid);
  if (missing.length > 0) problems.push(`${missing.length} guests without an SMS`);
  if (twice.length > 0) problems.push(`${twice.length} guests with more than one SMS`);
  if (strangers.length > 0) problems.push(`${strangers.length} SMS to guests not in this run`);
  if (stale.length > 0) problems.push(`${stale.length} SMS without the current password`);
  if (problems.length > 0) {
    throw new Error(
      `wrong SMS (${outbox.length} for ${pids.length} guests): ${problems.join("; ")}`,
    );
  }
}

/**
 * Reads the in-process simulator's counters every 2 ms: no Redis command, no HTTP request. Stops
 * early on a refused request or a worker that exited, as the run would otherwise wait for ever.
 */
async function untilSent(
  simulator: Simulator,
  count: number,
  workers: readonly WorkerProcess[],
  deadline: number,
): Promise<void> {
  for (;;) {
    const stats = simulator.stats();
    if (stats.sent >= count) return;
    const refused = Object.keys(stats.responses).filter((status) => Number(status) >= 300);
    if (stats.loginFailures > 0 || refused.length > 0) {
      throw new Error(
        `the simulator refused requests: ${stats.loginFailures} logins, answers ${JSON.stringify(stats.responses)}`,
      );
    }
    const exited = workers.find((w) => w.child.exitCode !== null || w.child.signalCode !== null);
    if (exited) throw new Error(`worker ${exited.pid} exited (${exited.child.exitCode})`);
    if (Date.now() > deadline) {
      throw new Error(`only ${stats.sent} of ${count} SMS sent within the run timeout`);
    }
    await sleep(2);
  }
}

/** Waits until no job is left to run, and fails if one failed. */
async function untilDrained(queue: Queue, deadline: number): Promise<void> {
  for (;;) {
    const counts = await queue.getJobCounts("wait", "active", "prioritized", "delayed", "failed");
    if ((counts.failed ?? 0) > 0) throw new Error(`${counts.failed} jobs failed`);
    if (Object.values(counts).every((count) => count === 0)) return;
    if (Date.now() > deadline)
      throw new Error(`the queue did not drain: ${JSON.stringify(counts)}`);
    await sleep(20);
  }
}
