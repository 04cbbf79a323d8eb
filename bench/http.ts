/**
 * `npm run bench:http`: POST /v1/deliveries of the real HTTP API against a bare Fastify route
 * that only calls queue.add, and against that route with an Idempotency-Key's two Redis writes
 * (`keyed`), same load, same private redis-server. See HTTP_BENCH_USAGE and the
 * README's "Benchmark".
 *
 * Each side runs in a child process of its own, started once and warmed up by an untimed run;
 * autocannon runs here. Separate processes, so that neither side's JIT state, heap or timers
 * weigh on the other, and so that --cpu-prof profiles the API alone; the load generator's own
 * CPU is the same for both sides. Runs alternate which side goes first; Redis is flushed before
 * each run (no worker drains the queue), so that both sides write into the same, empty Redis.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { ApiKeyStore } from "../src/api-keys/api-key-store";
import { type PrivateRedis, startPrivateRedis } from "../src/redis/private-server";
import { generateKeyEntry, KeyRing } from "../src/secrets";
import { runBenchEntry } from "./entry";
import { loadDeliveries } from "./http-load";
import { HTTP_BENCH_USAGE, type HttpBenchOptions, parseHttpBenchArgs } from "./http-options";
import { buildHttpReport, formatHttpReport, type HttpRun, type HttpSide } from "./http-report";
import { UsageError } from "./options";
import { resetCommandCounts, sampleRedis } from "./redis-stats";
import { sleep, spawnWorker, type WorkerProcess } from "./worker-process";

const QUEUE_NAME = "bench-http";
const KEY_PREFIX = "bench-http";
const WARM_UP_S = 3;
const START_TIMEOUT_MS = 30_000;

interface SideProcess {
  side: HttpSide;
  process: WorkerProcess;
  url: string;
}

/** Starts one side's process and waits for the address it listens on. */
async function startSide(
  side: HttpSide,
  env: Record<string, string>,
  logDir: string,
  cpuProfDir: string | undefined,
): Promise<SideProcess> {
  const readyFile = join(logDir, `${side}.url`);
  const child = spawnWorker({
    args: [join(__dirname, "http-server.js"), side],
    env: { ...env, BENCH_READY_FILE: readyFile },
    logFile: join(logDir, `${side}.log`),
    cpuProfDir,
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!existsSync(readyFile) || readFileSync(readyFile, "utf8") === "") {
    if (child.child.exitCode !== null) {
      throw new Error(`the ${side} server exited: see ${join(logDir, `${side}.log`)}`);
    }
    if (Date.now() > deadline) throw new Error(`the ${side} server did not start in time`);
    await sleep(50);
  }
  return { side, process: child, url: readFileSync(readyFile, "utf8") };
}

/** An empty Redis, holding only a fresh API key with the scope POST /v1/deliveries needs. */
async function freshRedis(redis: Redis, ring: KeyRing): Promise<string> {
  await redis.flushall();
  const store = new ApiKeyStore(redis, KEY_PREFIX, QUEUE_NAME, ring);
  const created = await store.create({ name: "bench", scopes: ["deliveries:write"] });
  return `Bearer ${created.key}`;
}

async function measure(
  redis: Redis,
  ring: KeyRing,
  side: SideProcess,
  options: HttpBenchOptions,
  run: number,
  position: number,
  durationS = options.durationS,
): Promise<HttpRun> {
  const authorization = await freshRedis(redis, ring);
  await resetCommandCounts(redis);
  const before = await sampleRedis(redis);
  const cpuBefore = side.process.cpuMs();
  const load = await loadDeliveries({
    url: side.url,
    authorization,
    connections: options.connections,
    durationS,
  });
  const cpuMs = side.process.cpuMs() - cpuBefore;
  const after = await sampleRedis(redis);
  const requests = Math.max(load.requests, 1);
  return {
    side: side.side,
    run,
    position,
    ...load,
    serverCpuMsPerRequest: cpuMs / requests,
    redisCpuMsPerRequest: (after.cpuMs - before.cpuMs) / requests,
    // FLUSHALL and the key's creation came before RESETSTAT; INFO does not count itself.
    redisCommandsPerRequest: (after.total - before.total) / requests,
  };
}

let releaseResources: (() => Promise<void>) | undefined;

async function bench(options: HttpBenchOptions): Promise<number> {
  const logDir = mkdtempSync(join(tmpdir(), "courier-bench-http-"));
  let privateRedis: PrivateRedis | undefined;
  let redis: Redis | undefined;
  const sides: SideProcess[] = [];
  let released: Promise<void> | undefined;
  let keepLogs = true;
  releaseResources = () => {
    released ??= (async () => {
      await Promise.all(sides.map((side) => side.process.stop(10_000)));
      redis?.disconnect();
      await privateRedis?.destroy();
      if (keepLogs) process.stderr.write(`server logs kept in ${logDir}\n`);
      else rmSync(logDir, { recursive: true, force: true });
    })();
    return released;
  };
  const progress = (line: string) => {
    if (!options.json) process.stderr.write(`${line}\n`);
  };
  try {
    privateRedis = await startPrivateRedis({ dirPrefix: "courier-bench-http-" });
    redis = new Redis(privateRedis.url, { maxRetriesPerRequest: null });
    const keyEntry = generateKeyEntry();
    const ring = KeyRing.parse(keyEntry);
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      REDIS_URL: privateRedis.url,
      QUEUE_NAME,
      REDIS_KEY_PREFIX: KEY_PREFIX,
      // As in production: passwords sealed at rest.
      JOB_ENCRYPTION_KEYS: keyEntry,
      // The limit is still counted in Redis for every request, but never reached.
      API_RATE_LIMIT: "1000000000",
      LOG_LEVEL: options.logLevel,
      LOG_FORMAT: "json",
    };
    const loadAtStart = loadavg()[0] ?? 0;
    sides.push(await startSide("api", env, logDir, options.cpuProfDir));
    sides.push(await startSide("bare", env, logDir, undefined));
    sides.push(await startSide("keyed", env, logDir, undefined));
    const [api, bare, keyed] = sides as [SideProcess, SideProcess, SideProcess];
    for (const side of sides) {
      progress(`warm-up: ${side.side} (not reported)`);
      await measure(redis, ring, side, options, 0, 0, Math.min(WARM_UP_S, options.durationS));
    }
    const runs: HttpRun[] = [];
    for (let run = 1; run <= options.runs; run++) {
      const order = run % 2 === 1 ? [api, bare, keyed] : [keyed, bare, api];
      for (const [i, side] of order.entries()) {
        progress(`run ${run}: ${side.side} ...`);
        runs.push(await measure(redis, ring, side, options, run, i + 1));
      }
    }
    const server = (await redis.info("server")).match(/redis_version:(\S+)/)?.[1] ?? "?";
    const report = buildHttpReport(runs, {
      runs: options.runs,
      durationS: options.durationS,
      connections: options.connections,
      logLevel: options.logLevel,
      redis: `private redis-server ${server}`,
      node: process.version,
      cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "?"}`,
      loadAtStart: loadAtStart.toFixed(2),
      loadAtEnd: (loadavg()[0] ?? 0).toFixed(2),
    });
    process.stdout.write(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : formatHttpReport(report),
    );
    keepLogs = report.unclean.length > 0;
    return 0;
  } finally {
    await releaseResources();
  }
}

async function main(argv: string[]): Promise<number> {
  let options: HttpBenchOptions | undefined;
  try {
    options = parseHttpBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench:http: ${error.message}\n\n${HTTP_BENCH_USAGE}\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(`${HTTP_BENCH_USAGE}\n`);
    return 0;
  }
  return bench(options);
}

runBenchEntry("bench:http", main, () => releaseResources?.() ?? Promise.resolve());
