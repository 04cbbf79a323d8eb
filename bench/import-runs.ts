import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import type Redis from "ioredis";
import { generateKeyEntry } from "../src/secrets";
import { sampleRedis } from "./redis-stats";
import { spawnWorker } from "./worker-process";

/** The repository, from dist/bench where this file runs compiled. */
const REPO_ROOT = join(__dirname, "..", "..");
const PRELOAD = join(__dirname, "import-peak-rss.js");

export type ImportVariantId = "import" | "bare" | "bare-opts" | "dry-run" | "sealed";

export interface ImportVariant {
  id: ImportVariantId;
  label: string;
  /** The script node runs and its arguments, for `file`. */
  args(file: string, batchId: string): string[];
  /** Where its jobs are afterwards: the import lane, BullMQ's wait list, or nowhere. */
  jobsIn: "prioritized" | "wait" | undefined;
  env?: Record<string, string>;
}

const COURIER_CLI = join(REPO_ROOT, "dist", "src", "cli", "main.js");

export const IMPORT_VARIANTS: readonly ImportVariant[] = [
  {
    id: "import",
    label: "axelnac-courier import FILE --batch ID",
    args: (file, batchId) => [COURIER_CLI, "import", file, "--batch", batchId],
    jobsIn: "prioritized",
  },
  {
    id: "bare",
    label: "BullMQ addBulk of the split lines, nothing else",
    args: (file) => [join(__dirname, "import-bare.js"), file],
    jobsIn: "wait",
  },
  {
    id: "bare-opts",
    label:
      "the same addBulk with the courier's BullMQ job options (id, priority, dedup, retention)",
    args: (file) => [join(__dirname, "import-bare.js"), file],
    jobsIn: "prioritized",
    env: { BENCH_SAME_OPTIONS: "1" },
  },
  {
    id: "sealed",
    label: "axelnac-courier import FILE --batch ID, passwords sealed (JOB_ENCRYPTION_KEYS)",
    args: (file, batchId) => [COURIER_CLI, "import", file, "--batch", batchId],
    jobsIn: "prioritized",
    env: { JOB_ENCRYPTION_KEYS: generateKeyEntry() },
  },
  {
    id: "dry-run",
    label: "axelnac-courier import FILE --dry-run (no Redis)",
    args: (file, batchId) => [COURIER_CLI, "import", file, "--batch", batchId, "--dry-run"],
    jobsIn: undefined,
  },
];

export interface ImportBenchContext {
  redis: Redis;
  redisUrl: string;
  workDir: string;
  timeoutMs: number;
}

export interface ImportRun {
  variant: ImportVariantId;
  run: number;
  label: string;
  rows: number;
  /** From spawn to exit: node's start-up and module loading included. */
  seconds: number;
  cpuMs: number;
  peakRssKb: number;
  redisCpuMs: number;
  redisCommands: number;
  /** Redis' used_memory once the jobs are in. */
  redisMemoryMb: number;
}

const QUEUE_NAME = "bench-import";

/** One child process importing `file` (`rows` rows) from a flushed Redis, checked afterwards. */
export async function measureImport(
  ctx: ImportBenchContext,
  variant: ImportVariant,
  file: string,
  rows: number,
  run: number,
): Promise<ImportRun> {
  await ctx.redis.flushall();
  const id = `${variant.id}-${randomUUID().slice(0, 8)}`;
  const statsFile = join(ctx.workDir, `${id}.json`);
  const logFile = join(ctx.workDir, `${id}.log`);
  const batchId = `bench-${id}`;
  const before = await sampleRedis(ctx.redis);
  const started = performance.now();
  const child = spawnWorker({
    args: ["-r", PRELOAD, ...variant.args(file, batchId)],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      REDIS_URL: ctx.redisUrl,
      QUEUE_NAME,
      LOG_FORMAT: "json",
      BENCH_STATS_FILE: statsFile,
      BENCH_BATCH_ID: batchId,
      ...variant.env,
    },
    logFile,
    cpuProfDir: undefined,
  });
  const code = await exitOf(child.child, ctx.timeoutMs, variant.label);
  const seconds = (performance.now() - started) / 1_000;
  const after = await sampleRedis(ctx.redis);
  const log = readFileSync(logFile, "utf8");
  if (code !== 0) throw new Error(`${variant.label} exited ${code}:\n${tail(log)}`);
  await expectJobs(ctx.redis, variant, rows, log);
  const stats = JSON.parse(readFileSync(statsFile, "utf8")) as { peakRssKb: number; cpuMs: number };
  const memory = /used_memory:(\d+)/.exec(await ctx.redis.info("memory"))?.[1] ?? "0";
  rmSync(statsFile, { force: true });
  rmSync(logFile, { force: true });
  return {
    variant: variant.id,
    run,
    label: variant.label,
    rows,
    seconds,
    cpuMs: stats.cpuMs,
    peakRssKb: stats.peakRssKb,
    redisCpuMs: after.cpuMs - before.cpuMs,
    redisCommands: after.total - before.total,
    redisMemoryMb: Number(memory) / 1024 / 1024,
  };
}

/** Every row must be in Redis, where the variant puts it, once; the dry run writes nothing. */
async function expectJobs(
  redis: Redis,
  variant: ImportVariant,
  rows: number,
  log: string,
): Promise<void> {
  if (variant.jobsIn === undefined) {
    const keys = await redis.dbsize();
    if (keys !== 0) throw new Error(`${variant.label} wrote ${keys} keys`);
    return;
  }
  const queue = new Queue(QUEUE_NAME, { connection: redis });
  try {
    const counts = await queue.getJobCounts("prioritized", "wait", "delayed");
    if (counts[variant.jobsIn] !== rows || Object.values(counts).reduce((a, b) => a + b) !== rows) {
      throw new Error(`${variant.label}: ${JSON.stringify(counts)} for ${rows} rows\n${tail(log)}`);
    }
  } finally {
    await queue.close();
  }
}

function exitOf(child: ChildProcess, timeoutMs: number, label: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${label} still running after ${timeoutMs / 1_000} s: killed`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function tail(log: string, lines = 10): string {
  return log.trimEnd().split("\n").slice(-lines).join("\n");
}
