/**
 * `npm run bench:import`: the real `axelnac-courier import` against bare BullMQ `addBulk`, both
 * in child processes, on the same generated CSV and a private redis-server. See IMPORT_USAGE.
 */
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Redis from "ioredis";
import { type PrivateRedis, startPrivateRedis } from "../src/redis/private-server";
import { runBenchEntry } from "./entry";
import { formatImportReport, type ImportReport } from "./import-report";
import {
  IMPORT_VARIANTS,
  type ImportBenchContext,
  type ImportRun,
  measureImport,
} from "./import-runs";
import { killAllWorkers } from "./worker-process";

const IMPORT_USAGE = `usage: npm run bench:import -- [options]

Generates a registration CSV, then imports it with the real command (node dist/src/cli/main.js
import FILE), with bare BullMQ addBulk (chunks of 1,000, same job data), with the same addBulk
and the courier's BullMQ job options, and with import --dry-run,
each in a child process against a private redis-server flushed before every run. Prints rows/s,
their ratio, CPU, peak RSS (VmHWM) and what Redis spent. Each variant is also timed on the header
alone, so its start-up can be told apart from its rows.

options:
  --rows N     rows in the CSV (default 100000)
  --runs N     runs of each variant, order rotating (default 3); the table gives medians
  --json       one JSON object instead of the table
  --help       show this help`;

/** One variant's run gives up after this long. */
const RUN_TIMEOUT_MS = 3 * 60_000;

interface Options {
  rows: number;
  runs: number;
  json: boolean;
}

/** What the bench started, stopped on every way out (signals and the watchdog included). */
let release: (() => Promise<void>) | undefined;

async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write("pid,password,source_id,reference\n");
  for (let i = 1; i <= rows; i++) {
    const n = String(i).padStart(6, "0");
    const line = `bench-guest-${n},${randomBytes(9).toString("base64url")},sms,REG-${n}\n`;
    if (!out.write(line)) await once(out, "drain");
  }
  out.end();
  await once(out, "close");
}

async function bench(options: Options): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), "courier-import-bench-"));
  let privateRedis: PrivateRedis | undefined;
  let redis: Redis | undefined;
  let released: Promise<void> | undefined;
  release = () => {
    released ??= (async () => {
      killAllWorkers();
      redis?.disconnect();
      await privateRedis?.destroy();
      rmSync(workDir, { recursive: true, force: true });
    })();
    return released;
  };
  try {
    const say = (line: string) => options.json || process.stderr.write(`${line}\n`);
    const file = join(workDir, "registrations.csv");
    const headerOnly = join(workDir, "header-only.csv");
    await writeCsv(file, options.rows);
    await writeCsv(headerOnly, 0);
    privateRedis = await startPrivateRedis();
    redis = new Redis(privateRedis.url, { maxRetriesPerRequest: null });
    const context: ImportBenchContext = {
      redis,
      redisUrl: privateRedis.url,
      workDir,
      timeoutMs: RUN_TIMEOUT_MS,
    };
    const loadAtStart = loadavg()[0] ?? 0;
    const runs: ImportRun[] = [];
    const startUps: ImportRun[] = [];
    for (let run = 1; run <= options.runs; run++) {
      // Rotating the order, so that no variant always runs first on a cooler machine.
      const order = IMPORT_VARIANTS.map(
        (_, i) => IMPORT_VARIANTS[(i + run - 1) % IMPORT_VARIANTS.length],
      );
      for (const variant of order) {
        if (!variant) continue;
        say(`run ${run}: ${variant.label} ...`);
        startUps.push(await measureImport(context, variant, headerOnly, 0, run));
        runs.push(await measureImport(context, variant, file, options.rows, run));
      }
    }
    const server = (await redis.info("server")).match(/redis_version:(\S+)/)?.[1] ?? "?";
    const report: ImportReport = {
      settings: {
        rows: options.rows,
        fileMb: statSync(file).size / 1024 / 1024,
        runs: options.runs,
        redis: `private redis-server ${server}`,
        node: process.version,
        cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "?"}`,
        cpuCount: cpus().length,
        loadAtStart,
        loadAtEnd: loadavg()[0] ?? 0,
      },
      runs,
      startUps,
    };
    process.stdout.write(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : formatImportReport(report),
    );
  } finally {
    await release();
  }
}

function parse(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      rows: { type: "string" },
      runs: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return undefined;
  return {
    rows: wholeNumber("--rows", values.rows ?? "100000", 1, 2_000_000),
    runs: wholeNumber("--runs", values.runs ?? "3", 1, 20),
    json: values.json ?? false,
  };
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new RangeError(`${flag}: "${text}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

async function main(argv: string[]): Promise<number> {
  let options: Options | undefined;
  try {
    options = parse(argv);
  } catch (error) {
    process.stderr.write(`bench:import: ${(error as Error).message}\n\n${IMPORT_USAGE}\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return 0;
  }
  await bench(options);
  return 0;
}

runBenchEntry("bench:import", main, () => release?.() ?? Promise.resolve());
