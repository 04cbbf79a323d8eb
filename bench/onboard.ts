/**
 * `npm run bench:onboard`: how fast guests go from onboarding jobs written to their SMS accepted,
 * for several numbers of guests per job. See ONBOARD_USAGE and the README's "Onboarding
 * throughput".
 *
 * The simulator runs in this process with its silent logger and stands for the appliance: 8 API
 * workers, each imported guest holding one for `--item-ms` (bcrypt and SQL on the real one), every
 * API answer for `--send-ms` more. The workers are real worker processes. An untimed warm-up run
 * comes first, so that the first timed run does not pay for the simulator's JIT warm-up.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { type PrivateRedis, startPrivateRedis } from "../src/redis/private-server";
import { generateKeyEntry } from "../src/secrets";
import { SIMULATOR_DEFAULTS, type Simulator, startSimulator } from "../src/simulator";
import { ApplianceLoadMeter } from "./appliance-load";
import { runBenchEntry } from "./entry";
import { ONBOARD_USAGE, type OnboardOptions, parseOnboardArgs } from "./onboard-options";
import { formatOnboardReport, type OnboardReport } from "./onboard-report";
import { measureOnboarding, type OnboardContext, type OnboardRun } from "./onboard-run";
import { UsageError } from "./options";
import { killAllWorkers } from "./worker-process";

const WARM_UP = { chunkSize: 10, guests: 400 };
/** Every chunk size at 2,000 guests takes about 4 min a run on 2 cores; each run has its own timeout. */
const WHOLE_BENCH_TIMEOUT_MS = 60 * 60_000;

/** What the bench started that must be stopped on every way out, signals and watchdog included. */
let releaseResources: (() => Promise<void>) | undefined;

/** Every chunk size in turn, the order reversed every other run so that none is always last. */
async function runAll(context: OnboardContext, options: OnboardOptions): Promise<OnboardRun[]> {
  const progress = (line: string) => {
    if (!options.json) process.stderr.write(`${line}\n`);
  };
  progress(`warm-up: ${WARM_UP.guests} guests, chunk size ${WARM_UP.chunkSize} (not reported)`);
  await measureOnboarding(context, WARM_UP.chunkSize, Math.min(WARM_UP.guests, options.guests), 0);
  const runs: OnboardRun[] = [];
  for (let run = 1; run <= options.runs; run++) {
    const order = run % 2 === 1 ? options.chunkSizes : [...options.chunkSizes].reverse();
    for (const chunkSize of order) {
      progress(`run ${run}: chunk size ${chunkSize} ...`);
      runs.push(await measureOnboarding(context, chunkSize, options.guests, run));
    }
  }
  return runs;
}

async function bench(options: OnboardOptions): Promise<number> {
  const logDir = mkdtempSync(join(tmpdir(), "courier-onboard-bench-"));
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
    const capacity = SIMULATOR_DEFAULTS.maxConcurrent;
    simulator = await startSimulator({
      port: 0,
      maxConcurrent: capacity,
      latencyMs: options.sendMs,
      ...credentials,
    });
    simulator.setFaults({ bulkImportItemMs: options.itemMs });
    const loadAtStart = loadavg()[0] ?? 0;
    const server = (await redis.info("server")).match(/redis_version:(\S+)/)?.[1] ?? "?";
    const context: OnboardContext = {
      redis,
      redisUrl: privateRedis.url,
      simulator,
      meter: new ApplianceLoadMeter(capacity),
      credentials,
      keyEntry: generateKeyEntry(),
      logDir,
      runTimeoutMs: options.runTimeoutMs,
    };
    const runs = await runAll(context, options);
    const report: OnboardReport = {
      settings: {
        guests: options.guests,
        chunkSizes: options.chunkSizes,
        itemMs: options.itemMs,
        sendMs: options.sendMs,
        runs: options.runs,
        workers:
          "2 processes, WORKER_CONCURRENCY=10, AXELNAC_MAX_IN_FLIGHT=8, LOG_LEVEL=warn, sealed",
        appliance: `simulator in process, ${capacity} requests at once`,
        redis: `private redis-server ${server}`,
        node: process.version,
        cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "?"}`,
        cpuCount: cpus().length,
        loadAtStart,
        loadAtEnd: loadavg()[0] ?? 0,
      },
      runs,
    };
    process.stdout.write(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : formatOnboardReport(report),
    );
    keepLogs = false;
    return 0;
  } finally {
    await releaseResources();
  }
}

async function main(argv: string[]): Promise<number> {
  let options: OnboardOptions | undefined;
  try {
    options = parseOnboardArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench:onboard: ${error.message}\n\n${ONBOARD_USAGE}\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(`${ONBOARD_USAGE}\n`);
    return 0;
  }
  return bench(options);
}

runBenchEntry(
  "bench:onboard",
  main,
  () => releaseResources?.() ?? Promise.resolve(),
  WHOLE_BENCH_TIMEOUT_MS,
);
