import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import type Redis from "ioredis";
import { DELIVERY_JOB_NAME, type DeliveryJob } from "../src/jobs/job-schema";
import type { Simulator } from "../src/simulator";
import {
  addCounts,
  type CommandCounts,
  resetCommandCounts,
  sampleRedis,
  withoutOverhead,
} from "./redis-stats";
import type { Variant } from "./variants";
import { sleep, spawnWorker, type WorkerProcess, waitUntilWaitingForJobs } from "./worker-process";

export interface BenchContext {
  redis: Redis;
  redisUrl: string;
  simulator: Simulator;
  credentials: { username: string; password: string };
  jobs: DeliveryJob[];
  concurrency: number;
  runTimeoutMs: number;
  cpuProfDir: string | undefined;
  logDir: string;
  /** What the bench's own RESETSTAT and queue resume cost Redis in each window. */
  overhead: CommandCounts;
}

export interface RunResult {
  variant: string;
  label: string;
  logLevel: string;
  run: number;
  /** 1 when this variant went first in its round, 2 when second. */
  position: number;
  deliveries: number;
  seconds: number;
  perSecond: number;
  /** Commands Redis executed in the window, the bench's own taken out. */
  redis: CommandCounts;
  redisCpuMs: number;
  workerCpuMs: number;
  /** CPU of the bench process (the simulator, mostly) in the window. */
  simulatorCpuMs: number;
  logins: number;
  /** SMS the simulator accepted, and how many distinct guests got one (no SMS sent twice). */
  sent: number;
  distinctGuests: number;
  peakRssKb: number;
  exitCode: number | null;
  logFile: string;
}

/** The bench's own Redis commands per poll of the queue's lists, while waiting for it to drain. */
const DRAIN_POLL_LLENS = 2;
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * One timed run of `variant`. The jobs wait in a paused queue while the worker starts; the window
 * opens when the queue is resumed and closes once the simulator has accepted every SMS and the
 * queue has neither waiting nor active jobs left.
 */
export async function measureRun(
  ctx: BenchContext,
  variant: Variant,
  run: number,
  position: number,
): Promise<RunResult> {
  await ctx.redis.flushall();
  ctx.simulator.resetCounters();
  const queueName = `bench-${variant.id}-${run}-${randomUUID().slice(0, 8)}`;
  const logFile = join(ctx.logDir, `${queueName}.log`);
  const queue = new Queue(queueName, { connection: ctx.redis });
  try {
    await queue.pause();
    const data = variant.jobData(ctx.jobs);
    await queue.addBulk(data.map((job) => ({ name: DELIVERY_JOB_NAME, data: job })));
    const worker = spawnWorker(
      variant.launch({
        redisUrl: ctx.redisUrl,
        queueName,
        applianceUrl: ctx.simulator.url,
        ...ctx.credentials,
        concurrency: ctx.concurrency,
        logFile,
        cpuProfDir: ctx.cpuProfDir,
      }),
    );
    try {
      const measured = await timeWindow(ctx, queue, worker);
      const exitCode = await worker.stop(STOP_TIMEOUT_MS);
      return {
        variant: variant.id,
        label: variant.label,
        logLevel: variant.logLevel,
        run,
        position,
        ...measured,
        exitCode,
        logFile,
      };
    } catch (error) {
      await worker.stop(STOP_TIMEOUT_MS);
      throw new Error(
        `${variant.label}, run ${run}: ${(error as Error).message}\n${tail(logFile)}`,
      );
    }
  } finally {
    await queue.close();
  }
}

type Measured = Omit<
  RunResult,
  "variant" | "label" | "logLevel" | "run" | "position" | "exitCode" | "logFile"
>;

async function timeWindow(ctx: BenchContext, queue: Queue, worker: WorkerProcess) {
  const count = ctx.jobs.length;
  await waitUntilWaitingForJobs(ctx.redis, [worker], READY_TIMEOUT_MS);
  const before = { worker: worker.cpuMs(), redis: await sampleRedis(ctx.redis) };
  const benchCpu = process.cpuUsage();

  await resetCommandCounts(ctx.redis);
  const started = performance.now();
  await queue.resume();
  const deadline = Date.now() + ctx.runTimeoutMs;
  await untilSent(ctx.simulator, count, worker, deadline);
  const polls = await untilDrained(ctx.redis, queue, deadline);
  const seconds = (performance.now() - started) / 1_000;

  const after = await sampleRedis(ctx.redis);
  const simulatorCpu = process.cpuUsage(benchCpu);
  const stats = ctx.simulator.stats();
  const benchCommands = addCounts(ctx.overhead, {
    total: polls * DRAIN_POLL_LLENS,
    byCommand: { llen: polls * DRAIN_POLL_LLENS },
  });
  const measured: Measured = {
    deliveries: count,
    seconds,
    perSecond: count / seconds,
    redis: withoutOverhead(after, benchCommands),
    redisCpuMs: after.cpuMs - before.redis.cpuMs,
    workerCpuMs: worker.cpuMs() - before.worker,
    simulatorCpuMs: (simulatorCpu.user + simulatorCpu.system) / 1_000,
    logins: stats.logins,
    sent: stats.sent,
    distinctGuests: new Set(ctx.simulator.outbox().map((sms) => sms.pid)).size,
    peakRssKb: worker.peakRssKb(),
  };
  if (measured.sent !== count || measured.distinctGuests !== count) {
    throw new Error(
      `${measured.sent} SMS sent to ${measured.distinctGuests} guests for ${count} jobs`,
    );
  }
  return measured;
}

/**
 * What a bench window costs Redis by itself: CONFIG RESETSTAT and the resume of a paused queue
 * holding jobs, measured once on a scratch queue the same way a run does it.
 */
export async function measureBenchOverhead(redis: Redis): Promise<CommandCounts> {
  await redis.flushall();
  const queue = new Queue(`bench-calibration-${randomUUID().slice(0, 8)}`, { connection: redis });
  try {
    await queue.pause();
    await queue.addBulk([{ name: DELIVERY_JOB_NAME, data: {} }]);
    await resetCommandCounts(redis);
    await queue.resume();
    const { total, byCommand } = await sampleRedis(redis);
    return { total, byCommand };
  } finally {
    await queue.close();
    await redis.flushall();
  }
}

/**
 * Reads the in-process simulator's counters: no Redis command, no HTTP request. Stops early when
 * the simulator refused a login or a send, as a misconfigured worker would wait for ever.
 */
async function untilSent(
  simulator: Simulator,
  count: number,
  worker: WorkerProcess,
  deadline: number,
): Promise<void> {
  for (;;) {
    const stats = simulator.stats();
    if (stats.sent >= count) return;
    const refused = Object.entries(stats.responses).filter(([status]) => Number(status) >= 300);
    if (stats.loginFailures > 0 || refused.length > 0) {
      throw new Error(
        `the simulator refused requests: ${stats.loginFailures} logins, answers ${JSON.stringify(stats.responses)}`,
      );
    }
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) {
      throw new Error(`the worker exited (${worker.child.exitCode ?? worker.child.signalCode})`);
    }
    if (Date.now() > deadline) {
      throw new Error(`only ${stats.sent} of ${count} SMS sent within the run timeout`);
    }
    await sleep(2);
  }
}

/** Waits until the last jobs are completed in Redis too; returns how many polls it took. */
async function untilDrained(redis: Redis, queue: Queue, deadline: number): Promise<number> {
  for (let polls = 1; ; polls++) {
    const replies = await redis
      .pipeline()
      .llen(queue.toKey("wait"))
      .llen(queue.toKey("active"))
      .exec();
    if (replies?.every(([error, length]) => !error && length === 0)) return polls;
    if (Date.now() > deadline) throw new Error("the queue did not drain within the run timeout");
    await sleep(2);
  }
}

export function tail(logFile: string, lines = 15): string {
  try {
    const text = readFileSync(logFile, "utf8").trimEnd();
    if (text === "") return `(its log ${logFile} is empty)`;
    return `last lines of ${logFile}:\n${text.split("\n").slice(-lines).join("\n")}`;
  } catch {
    return `(no log at ${logFile})`;
  }
}
