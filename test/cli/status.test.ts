import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type BatchStatus, isSettled, readBatchStatus } from "../../src/batches/batch-status";
import { type Config, loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { type Simulator, startSimulator } from "../../src/simulator";
import { connectOperator, type OperatorConnections } from "../../src/wiring/operator";
import { type ConnectedProducer, connectDeliveryProducer } from "../../src/wiring/producer";
import { type RunningDeliveryWorker, startDeliveryWorker } from "../../src/worker/start";
import { runCli, stderrBeyondTarget } from "../support/cli";
import { runCommand } from "../support/command-in-process";
import { CLI_CWD, REPO_ROOT } from "../support/processes";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { waitUntil } from "../support/wait";

/** The guests the simulator knows; any other pid gets AxelNAC's 404, a permanent failure. */
const KNOWN = Array.from({ length: 20 }, (_, n) => `guest-${n}`);

describe("axelnac-courier status", () => {
  const redis = testRedis();
  const queueName = `test-${randomUUID()}`;
  const prefix = uniquePrefix("cli-status");
  const logger = createLogger({ level: "silent" });
  let sim: Simulator;
  let env: Record<string, string>;
  let config: Config;
  let producer: ConnectedProducer;
  let operator: OperatorConnections;
  let worker: RunningDeliveryWorker | undefined;

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      guests: new Map(KNOWN.map((pid, n) => [pid, `+7999000${String(n).padStart(4, "0")}`])),
    });
    env = {
      REDIS_URL: testRedisUrl(),
      QUEUE_NAME: queueName,
      REDIS_KEY_PREFIX: prefix,
      AXELNAC_URL: sim.url,
      AXELNAC_USERNAME: "admin",
      AXELNAC_PASSWORD: "admin",
      AXELNAC_SOURCE_ID: "sms",
      SHUTDOWN_TIMEOUT: "5s",
      LOG_LEVEL: "warn",
    };
    config = loadConfig(env);
    producer = await connectDeliveryProducer(config, logger);
    operator = await connectOperator(config, logger);
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });

  afterAll(async () => {
    await producer.close();
    await operator.close();
    await sim.close();
    await deleteKeys(redis, `bull:${queueName}:`);
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  const enqueueBatch = (batch: string, pids: string[]) =>
    producer.producer.enqueueMany(
      pids.map((pid) => ({
        pid,
        password: `pw-${randomUUID()}`,
        source_id: "sms",
        batch_id: batch,
      })),
      { priority: 1000 },
    );

  /** In this process; the watch and a refusal run as the binary, for its exit and its pipe. */
  const status = async (...args: string[]) => {
    const result = await runCommand(["status", ...args], env);
    expect({ code: result.code, stderr: stderrBeyondTarget(result.stderr) }).toEqual({
      code: 0,
      stderr: "",
    });
    return result.stdout;
  };
  const statusJson = async (batch: string) =>
    JSON.parse(await status("--batch", batch, "--json")) as BatchStatus;

  const settled = (batch: string) =>
    waitUntil(
      async () => isSettled(await readBatchStatus(operator.queue, redis, operator.keys, batch)),
      { timeoutMs: 20_000, intervalMs: 100, what: `batch ${batch} settled` },
    );

  it("counts a batch from waiting to delivered and failed, and keeps its counts once the jobs are gone", async () => {
    await enqueueBatch("fair", [...KNOWN.slice(0, 8), "ghost-1", "ghost-2"]);
    expect(await statusJson("fair")).toEqual({
      batch: "fair",
      total: 10,
      waiting: 10,
      delayed: 0,
      active: 0,
      delivered: 0,
      failed: 0,
      cancelled: 0,
      paused: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      // No fleet pause holds it back, and no worker serves the queue yet.
      pause: null,
      workers: 0,
    });
    expect((await status("--batch", "fair")).split("\n")[1]).toBe(
      "workers      no worker is connected: nothing will be delivered until one starts",
    );

    worker = await startDeliveryWorker(config, logger);
    await settled("fair");
    const done = { batch: "fair", total: 10, waiting: 0, delayed: 0, active: 0 };
    expect(await statusJson("fair")).toMatchObject({ ...done, delivered: 8, failed: 2 });
    // Delivered jobs are gone at once; only the counters remember them.
    expect(await operator.queue.getJobCounts("completed", "failed")).toEqual({
      completed: 0,
      failed: 2,
    });

    const purged = await runCommand(["failed", "purge", "--batch", "fair"], env);
    expect(purged).toMatchObject({ code: 0, stdout: "purged 2 failed deliveries\n" });
    expect(await operator.queue.getJobCounts("failed")).toEqual({ failed: 0 });
    expect(await statusJson("fair")).toMatchObject({ ...done, delivered: 8, failed: 2 });

    expect(await status("--batch", "fair")).toBe(
      `${"batch fair".padEnd(28)} total 10  delivered 8  failed 2  in flight 0  waiting 0  scheduled 0\nworkers      1 connected\n`,
    );
    expect(await statusJson("fair")).toMatchObject({ workers: 1 });
  });

  it("shows a delivery with --send-at in the future as delayed, not waiting", async () => {
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const enqueued = await runCommand(
      ["enqueue", "--pid", "guest-0", "--batch", "later", "--send-at", sendAt],
      env,
      `pw-${randomUUID()}\n`,
    );
    expect(enqueued.code).toBe(0);
    worker = await startDeliveryWorker(config, logger);
    expect(await statusJson("later")).toMatchObject({
      batch: "later",
      total: 1,
      waiting: 0,
      delayed: 1,
      active: 0,
      delivered: 0,
      failed: 0,
    });
    // When it is due: what --watch shows instead of an ETA.
    const { nextDueAt } = await statusJson("later");
    expect(Math.abs(Date.parse(nextDueAt ?? "") - Date.parse(sendAt))).toBeLessThan(1_000);
    const queueJson = JSON.parse(await status("--json")) as BatchStatus;
    expect(queueJson.nextDueAt).toBe(nextDueAt);
  });

  it("without --batch, reports the whole queue and lists its batches, newest first", async () => {
    // What the tests before left: fair (8 delivered, 2 failed and purged), later (1 scheduled);
    // and now one job in no batch, waiting for a worker.
    await producer.producer.enqueue({
      pid: "guest-9",
      password: `pw-${randomUUID()}`,
      source_id: "sms",
    });
    const lines = (await status()).trimEnd().split("\n");
    expect(lines[0]).toBe(
      `${"queue (all jobs)".padEnd(28)} total 12  delivered 8  failed 2  in flight 0  waiting 1  scheduled 1`,
    );
    expect(lines[1]).toBe(
      "workers      no worker is connected: nothing will be delivered until one starts",
    );
    expect(lines.slice(2).map((line) => line.split(/\s+/).slice(0, 2).join(" "))).toEqual([
      "batch later",
      "batch fair",
    ]);

    const json = JSON.parse(await status("--json"));
    expect(json).toMatchObject({
      batch: null,
      total: 12,
      waiting: 1,
      delayed: 1,
      active: 0,
      delivered: 8,
      failed: 2,
      workers: 0,
    });
    expect(json.batches.map((b: BatchStatus) => [b.batch, b.total])).toEqual([
      ["later", 1],
      ["fair", 10],
    ]);
  });

  it("--watch prints a line per interval and ends by itself once the batch is done", async () => {
    await enqueueBatch("watched", KNOWN);
    const watch = spawn(
      process.execPath,
      [
        join(REPO_ROOT, "dist", "src", "cli", "main.js"),
        "status",
        "--batch",
        "watched",
        "--watch",
        "--interval",
        "200ms",
      ],
      {
        env: { PATH: process.env.PATH ?? "", ...env },
        cwd: CLI_CWD,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const lines: string[] = [];
    createInterface({ input: watch.stdout }).on("line", (line) => lines.push(line));
    let stderr = "";
    watch.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => watch.once("close", resolve));
    try {
      // Nothing is delivered until a worker runs: the watch keeps going meanwhile.
      await waitUntil(() => lines.length >= 2, { timeoutMs: 10_000, what: "two watch lines" });
      expect(lines[0]).toMatch(
        /^batch watched +total 20 {2}delivered 0 {2}failed 0 .* waiting 20 /,
      );
      worker = await startDeliveryWorker(config, logger);
      const code = await withinMs(exited, 20_000);
      expect({ code, stderr: stderrBeyondTarget(stderr) }).toEqual({ code: 0, stderr: "" });
    } finally {
      watch.kill();
    }
    // Said once, while no worker ran, not at every read.
    expect(lines.filter((line) => line.startsWith("workers"))).toEqual([
      "workers      no worker is connected: nothing will be delivered until one starts",
    ]);
    expect(lines.at(-1)).toMatch(
      /^batch watched +total 20 {2}delivered 20 {2}failed 0 {2}in flight 0 {2}waiting 0 {2}scheduled 0 {2}\d+\/s$/,
    );
  });

  it("--watch of a batch exits 1 once it is done if any of its deliveries failed", async () => {
    await enqueueBatch("doomed", [...KNOWN.slice(0, 3), "ghost-3"]);
    worker = await startDeliveryWorker(config, logger);
    const result = await runCli(
      ["status", "--batch", "doomed", "--watch", "--interval", "200ms"],
      env,
    );
    expect({ code: result.code, stderr: stderrBeyondTarget(result.stderr) }).toEqual({
      code: 1,
      stderr: "",
    });
    expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(
      /^batch doomed +total 4 {2}delivered 3 {2}failed 1 {2}in flight 0 {2}waiting 0 /,
    );
  });

  it("refuses an unknown batch with exit 2 and says how to list the batches", async () => {
    for (const args of [
      ["--batch", "nope"],
      ["--batch", "nope", "--watch"],
    ]) {
      const result = await runCommand(["status", ...args], env);
      expect({ ...result, stderr: stderrBeyondTarget(result.stderr) }).toEqual({
        code: 2,
        stdout: "",
        stderr:
          'status: no batch "nope" in this queue (batches are listed by `axelnac-courier status`)\n',
      });
    }
  });

  it("refuses a --batch no job can carry with exit 2, naming its problem, before reading Redis", async () => {
    const result = await runCli(["status", "--batch", "expo~1"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^status: --batch: "expo~1" holds "~"/);
  });
});

/** The promise's value, or "still running" if it takes longer than `ms`. */
async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | "still running"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"still running">((resolve) => {
    timer = setTimeout(() => resolve("still running"), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
