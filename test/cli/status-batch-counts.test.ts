import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { type BatchStatus, isSettled, readBatchStatus } from "../../src/batches/batch-status";
import { type Config, loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { type Simulator, startSimulator } from "../../src/simulator";
import { connectOperator, type OperatorConnections } from "../../src/wiring/operator";
import { type RunningDeliveryWorker, startDeliveryWorker } from "../../src/worker/start";
import { runCli, stderrBeyondTarget } from "../support/cli";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { waitUntil } from "../support/wait";

/** The guests the simulator knows; any other pid gets AxelNAC's 404, a permanent failure. */
const KNOWN = Array.from({ length: 5 }, (_, n) => `guest-${n}`);

describe("status counts a batch's guests, not its jobs", () => {
  const redis = testRedis();
  const queueName = `test-${randomUUID()}`;
  const prefix = uniquePrefix("cli-status-counts");
  const dir = mkdtempSync(join(tmpdir(), "courier-status-counts-"));
  const logger = createLogger({ level: "silent" });
  let sim: Simulator;
  let env: Record<string, string>;
  let config: Config;
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
    operator = await connectOperator(config, logger);
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });

  afterAll(async () => {
    await operator.close();
    await sim.close();
    await deleteKeys(redis, `bull:${queueName}:`);
    await deleteKeys(redis, prefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Imports one row per pid, each with a password of its own (a corrected file, once again). */
  const importGuests = async (batch: string, pids: string[]) => {
    const path = join(dir, `${randomUUID()}.csv`);
    writeFileSync(
      path,
      `pid,password\n${pids.map((pid) => `${pid},pw-${randomUUID()}`).join("\n")}\n`,
    );
    const result = await runCli(["import", path, "--batch", batch], env);
    expect({ code: result.code, stdout: result.stdout }).toEqual({
      code: 0,
      stdout: `batch ${batch}: ${pids.length} ${pids.length === 1 ? "row" : "rows"}, ${pids.length} enqueued, 0 duplicates skipped, 0 rejected\n`,
    });
  };
  const statusJson = async (batch: string) => {
    const result = await runCli(["status", "--batch", batch, "--json"], env);
    expect({ code: result.code, stderr: stderrBeyondTarget(result.stderr) }).toEqual({
      code: 0,
      stderr: "",
    });
    return JSON.parse(result.stdout) as BatchStatus;
  };
  const deliverAll = async (batch: string, workerConfig = config) => {
    worker ??= await startDeliveryWorker(workerConfig, logger);
    await waitUntil(
      async () => {
        const status = await readBatchStatus(operator.queue, redis, operator.keys, batch);
        return isSettled(status) && status.delivered + status.failed >= status.total;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `batch ${batch} settled` },
    );
    // The workers' counts are written once a second; closing writes what is left.
    await worker.close();
    worker = undefined;
  };

  it("counts a guest imported again with a corrected row once: total 5, delivered 5", async () => {
    await importGuests("corrected", KNOWN);
    await deliverAll("corrected");
    expect(await statusJson("corrected")).toMatchObject({ total: 5, delivered: 5, failed: 0 });

    await importGuests("corrected", KNOWN);
    // The corrected rows replace the delivered ones: those guests are pending again.
    expect(await statusJson("corrected")).toMatchObject({
      total: 5,
      delivered: 0,
      failed: 0,
      waiting: 5,
    });
    await deliverAll("corrected");
    expect(await statusJson("corrected")).toMatchObject({
      total: 5,
      waiting: 0,
      delivered: 5,
      failed: 0,
    });
  });

  it("counts a guest that failed, then was delivered from a corrected file, as delivered only", async () => {
    // The SMS provider fails every send, and a worker gives each job one attempt.
    sim.setFaults({ failRate: 1 });
    await importGuests("late-guest", KNOWN.slice(0, 3));
    await deliverAll("late-guest", loadConfig({ ...env, DELIVERY_ATTEMPTS: "1" }));
    expect(await statusJson("late-guest")).toMatchObject({ total: 3, delivered: 0, failed: 3 });

    sim.setFaults({ failRate: 0 });
    await importGuests("late-guest", KNOWN.slice(1, 3));
    await deliverAll("late-guest");
    expect(await statusJson("late-guest")).toMatchObject({ total: 3, delivered: 2, failed: 1 });
    await importGuests("late-guest", KNOWN.slice(0, 1));
    await deliverAll("late-guest");
    expect(await statusJson("late-guest")).toMatchObject({ total: 3, delivered: 3, failed: 0 });
  });

  it("shows a plain producer's batch: delivered and failed, and says its total is unknown", async () => {
    const plain = new Queue(queueName, { connection: redis });
    try {
      for (const pid of [...KNOWN.slice(0, 3), "ghost-2"])
        await plain.add("send-credentials", {
          pid,
          password: `pw-${randomUUID()}`,
          source_id: "sms",
          batch_id: "plain",
        });
    } finally {
      await plain.close();
    }
    worker = await startDeliveryWorker(config, logger);
    await waitUntil(
      async () => (await operator.queue.getJobCounts("wait", "active", "delayed")).wait === 0,
      { timeoutMs: 20_000, intervalMs: 100, what: "the plain jobs taken" },
    );
    await waitUntil(
      async () => {
        const result = await runCli(["status", "--batch", "plain", "--json"], env);
        return result.code === 0 && JSON.parse(result.stdout).delivered === 3;
      },
      {
        timeoutMs: 20_000,
        intervalMs: 200,
        what: "the plain batch counted",
        describe: async () => runCli(["status", "--batch", "plain", "--json"], env),
      },
    );
    expect(await statusJson("plain")).toMatchObject({
      batch: "plain",
      total: 4,
      totalKnown: false,
      delivered: 3,
      failed: 1,
    });
    const plainLine = await runCli(["status", "--batch", "plain"], env);
    expect(plainLine.stdout).toContain(
      "total unknown: jobs added by a plain producer are counted when a worker takes them",
    );
  });
});
