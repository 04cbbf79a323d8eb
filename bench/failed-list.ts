/**
 * `npm run bench:failed-list`: the memory `failed list` takes for failed jobs whose data is large.
 * Fills a private redis-server with failed jobs carrying a producer's own bookkeeping of a given
 * size, then runs the real command (node dist/src/cli/main.js failed list --batch B --json) in a
 * child process and reports its peak RSS (VmHWM) and the bytes Redis sent it.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Redis from "ioredis";
import { loadConfig } from "../src/config/config";
import { createLogger } from "../src/logging/logger";
import { type PrivateRedis, startPrivateRedis } from "../src/redis/private-server";
import { connectOperator } from "../src/wiring/operator";
import { startDeliveryWorker } from "../src/worker/start";
import { runBenchEntry } from "./entry";

const USAGE = `usage: npm run bench:failed-list -- [options]

Fails JOBS jobs of one batch, each carrying MB megabytes of a producer's bookkeeping (the worker
fails them as invalid: no appliance is needed), then runs \`failed list --batch B --json\` and
prints its peak RSS and the bytes Redis sent while it ran.

options:
  --jobs N     failed jobs (default 50)
  --mb N       megabytes of data per job (default 1)
  --cli PATH   the command's main.js (default dist/src/cli/main.js), to measure another build
  --help       show this help`;

let release: () => Promise<void> = async () => undefined;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      jobs: { type: "string", default: "50" },
      mb: { type: "string", default: "1" },
      cli: { type: "string", default: join(__dirname, "..", "src", "cli", "main.js") },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const jobs = Number(values.jobs);
  const bytes = Math.round(Number(values.mb) * 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), "bench-failed-list-"));
  const server: PrivateRedis = await startPrivateRedis({ dirPrefix: "bench-failed-list-" });
  const redis = new Redis(server.url);
  release = async () => {
    release = async () => undefined;
    redis.disconnect();
    await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  const env = {
    REDIS_URL: server.url,
    QUEUE_NAME: `bench-${randomUUID()}`,
    AXELNAC_URL: "http://127.0.0.1:9",
    AXELNAC_USERNAME: "bench",
    AXELNAC_PASSWORD: "bench",
    LOG_LEVEL: "warn",
  };
  const config = loadConfig(env);
  const silent = createLogger({ level: "silent" });
  const operator = await connectOperator(config, silent);
  const worker = await startDeliveryWorker(config, silent);
  const note = "n".repeat(bytes);
  for (let i = 0; i < jobs; i++) {
    // No source_id: invalid, so the worker fails it at once, as a plain producer's bad job.
    await operator.queue.add("send-credentials", {
      pid: `guest-${i}`,
      password: `bench-pw-${i}`,
      reference: `REF-${i}`,
      batch_id: "big",
      note,
    });
  }
  while ((await operator.queue.getFailedCount()) < jobs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await worker.close();
  await operator.close();

  const statsFile = join(dir, "stats.json");
  const preload = join(__dirname, "import-peak-rss.js");
  const before = await bytesSent(redis);
  const child = spawn(
    process.execPath,
    ["-r", preload, values.cli, "failed", "list", "--batch", "big", "--json"],
    {
      env: { PATH: process.env.PATH ?? "", ...env, BENCH_STATS_FILE: statsFile },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let listed = 0;
  child.stdout.on("data", (chunk: Buffer) => {
    listed += chunk.length;
  });
  const [code] = await once(child, "close");
  const sent = (await bytesSent(redis)) - before;
  const stats = JSON.parse(readFileSync(statsFile, "utf8")) as { peakRssKb: number; cpuMs: number };
  await release();
  process.stdout.write(
    `${jobs} failed jobs of ${values.mb} MB: failed list exit ${code}, ` +
      `peak RSS ${Math.round(stats.peakRssKb / 1024)} MB, CPU ${Math.round(stats.cpuMs)} ms, ` +
      `Redis sent ${formatBytes(sent)}, output ${formatBytes(listed)}\n`,
  );
  return code === 0 ? 0 : 1;
}

async function bytesSent(redis: Redis): Promise<number> {
  const stats = await redis.info("stats");
  return Number(/^total_net_output_bytes:(\d+)/m.exec(stats)?.[1]);
}

function formatBytes(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)} MB` : `${(n / 1_000).toFixed(1)} kB`;
}

runBenchEntry("bench:failed-list", main, () => release());
