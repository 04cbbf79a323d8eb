/**
 * `npm run bench`: the real worker against a bare BullMQ + undici worker, same jobs, same
 * simulator, same private redis-server. See BENCH_USAGE and the README's "Benchmark".
 *
 * The simulator runs in this process with its silent logger: the bench does nothing else while a
 * run is timed (it reads the simulator's counter every 2 ms, in memory), each worker under test has
 * a process of its own, and the appliance's fixed cost per request stays small enough for the
 * workers' differences to show. An untimed warm-up run comes first, so that the first timed run
 * does not pay for the simulator's JIT warm-up.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import type { DeliveryJob } from "../src/jobs/job-schema";
import { type PrivateRedis, startPrivateRedis } from "../src/redis/private-server";
import { type Simulator, startSimulator } from "../src/simulator";
import { runBenchEntry } from "./entry";
import { formatReport } from "./format";
import { type BenchContext, measureBenchOverhead, measureRun, type RunResult } from "./measure";
import { BENCH_USAGE, type BenchOptions, parseBenchArgs, UsageError } from "./options";
import { buildReport } from "./report";
import { BARE_VARIANT, courierVariant, type Variant } from "./variants";
import { killAllWorkers } from "./worker-process";

const WARM_UP_JOBS = 1_000;

function benchJobs(count: number): DeliveryJob[] {
  return Array.from({ length: count }, (_, i) => ({
    pid: `bench-guest-${String(i).padStart(6, "0")}`,
    password: randomBytes(9).toString("base64url"),
    source_id: "sms",
  }));
}

/** Alternates which variant goes first, so that neither always runs on a warmer machine. */
function schedule(
  options: BenchOptions,
): Array<{ variant: Variant; run: number; position: number }> {
  const courier = courierVariant("warn", options.sealed);
  const steps = [];
  for (let run = 1; run <= options.runs; run++) {
    const order = run % 2 === 1 ? [courier, BARE_VARIANT] : [BARE_VARIANT, courier];
    order.forEach((variant, i) => {
      steps.push({ variant, run, position: i + 1 });
    });
  }
  if (options.infoRun)
    steps.push({ variant: courierVariant("info", options.sealed), run: 1, position: 1 });
  return steps;
}

/** An untimed warm-up run, then every scheduled run, one after the other. */
async function runAll(context: BenchContext, options: BenchOptions): Promise<RunResult[]> {
  const progress = (line: string) => {
    if (!options.json) process.stderr.write(`${line}\n`);
  };
  // The simulator's code in this process and Redis' memory are then warm for the first timed run.
  progress(`warm-up: ${BARE_VARIANT.label} (not reported)`);
  await measureRun({ ...context, jobs: context.jobs.slice(0, WARM_UP_JOBS) }, BARE_VARIANT, 0, 0);
  const runs: RunResult[] = [];
  for (const step of schedule(options)) {
    progress(`run ${step.run}: ${step.variant.label} ...`);
    runs.push(await measureRun(context, step.variant, step.run, step.position));
  }
  return runs;
}

/** What the bench started that must be stopped on every way out, signals and watchdog included. */
let releaseResources: (() => Promise<void>) | undefined;

async function bench(options: BenchOptions): Promise<number> {
  const logDir = mkdtempSync(join(tmpdir(), "courier-bench-"));
  let privateRedis: PrivateRedis | undefined;
  let redis: Redis | undefined;
  let simulator: Simulator | undefined;
  let keepLogs = true;
  let released: Promise<void> | undefined;
  releaseResources = () => {
    released ??= (async () => {
      killAllWorkers();
      redis?.disconnect();
      await simulator?.close();
      await privateRedis?.destroy();
      if (options.keepLogs || keepLogs) process.stderr.write(`worker logs kept in ${logDir}\n`);
      else rmSync(logDir, { recursive: true, force: true });
    })();
    return released;
  };
  try {
    privateRedis = await startPrivateRedis();
    redis = new Redis(privateRedis.url, { maxRetriesPerRequest: null });
    const credentials = { username: "bench", password: randomBytes(12).toString("hex") };
    simulator = await startSimulator({
      port: 0,
      maxConcurrent: options.concurrency,
      ...credentials,
    });
    const loadAtStart = loadavg()[0] ?? 0;
    const server = (await redis.info("server")).match(/redis_version:(\S+)/)?.[1] ?? "?";

    const context: BenchContext = {
      redis,
      redisUrl: privateRedis.url,
      simulator,
      credentials,
      jobs: benchJobs(options.jobs),
      concurrency: options.concurrency,
      runTimeoutMs: options.runTimeoutMs,
      cpuProfDir: options.cpuProfDir,
      logDir,
      overhead: await measureBenchOverhead(redis),
    };
    const runs = await runAll(context, options);
    const report = buildReport(runs, {
      jobs: options.jobs,
      runs: options.runs,
      concurrency: options.concurrency,
      redis: `private redis-server ${server}`,
      node: process.version,
      cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "?"}`,
      cpuCount: cpus().length,
      loadAtStart: loadAtStart.toFixed(2),
      loadAtEnd: (loadavg()[0] ?? 0).toFixed(2),
    });
    process.stdout.write(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
    );
    keepLogs = false;
    return 0;
  } finally {
    await releaseResources();
  }
}

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n\n${BENCH_USAGE}\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  return bench(options);
}

runBenchEntry("bench", main, () => releaseResources?.() ?? Promise.resolve());
