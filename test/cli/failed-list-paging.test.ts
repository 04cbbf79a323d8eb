import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import type { FailedJobView } from "../../src/batches/failed-jobs";
import { loadConfig } from "../../src/config/config";
import { sealJobPassword } from "../../src/jobs/job-password";
import { createLogger } from "../../src/logging/logger";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { generateKeyEntry } from "../../src/secrets";
import { connectOperator, type OperatorConnections } from "../../src/wiring/operator";
import { type RunningDeliveryWorker, startDeliveryWorker } from "../../src/worker/start";
import { runCli, stderrBeyondTarget } from "../support/cli";
import { expectNoSecrets } from "../support/log-sink";
import { type StandIn, startWebServer } from "../support/stand-ins";
import { waitUntil } from "../support/wait";

/** The bytes Redis has sent to all its clients since it started. */
async function bytesSent(redis: Redis): Promise<number> {
  const stats = await redis.info("stats");
  return Number(/^total_net_output_bytes:(\d+)/m.exec(stats)?.[1]);
}

/**
 * A Redis of the test's own, so that its count of bytes sent is the command's alone. Five failed
 * jobs carry 1 MB each of a producer's own bookkeeping, and a password sealed under a key the
 * command does not have.
 */
describe("failed list with large jobs", () => {
  const BIG = 5;
  const MEGABYTE = 1_000_000;
  const passwords = Array.from({ length: BIG + 1 }, (_, i) => `paging-pw-${i}-${randomUUID()}`);
  let server: PrivateRedis;
  let redis: Redis;
  let appliance: StandIn;
  let operator: OperatorConnections;
  let worker: RunningDeliveryWorker | undefined;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    server = await startPrivateRedis({ dirPrefix: "courier-failed-list-" });
    redis = new Redis(server.url);
    // An appliance that knows none of the guests: every delivery fails at once.
    appliance = await startWebServer((_method, path) =>
      path.endsWith("/login")
        ? { status: 200, type: "application/json", body: '{"token":"tok-0123456789"}' }
        : {
            status: 404,
            type: "application/json",
            body: '{"message":"no such user","status":404}',
          },
    );
    cliEnv = {
      REDIS_URL: server.url,
      QUEUE_NAME: `test-${randomUUID()}`,
      AXELNAC_URL: appliance.url,
      AXELNAC_USERNAME: "admin",
      AXELNAC_PASSWORD: "admin",
      LOG_LEVEL: "warn",
    };
    // The worker holds the key; the command run below does not.
    const workerConfig = loadConfig({ ...cliEnv, JOB_ENCRYPTION_KEYS: generateKeyEntry() });
    const silent = createLogger({ level: "silent" });
    operator = await connectOperator(workerConfig, silent);
    worker = await startDeliveryWorker(workerConfig, silent);
    const jobs = passwords.map((password, i) => ({
      ...sealJobPassword(
        {
          pid: `guest-${i}`,
          password,
          source_id: "sms",
          reference: `REF-${i}`,
          batch_id: i < BIG ? "big" : "other",
        },
        workerConfig.encryption.ring,
      ),
      note: "n".repeat(MEGABYTE),
    }));
    for (const data of jobs) await operator.queue.add("send-credentials", data);
    await waitUntil(async () => (await operator.queue.getFailedCount()) === jobs.length, {
      timeoutMs: 30_000,
      what: "every delivery failed",
    });
    await worker.close();
    worker = undefined;
  });

  afterAll(async () => {
    await worker?.close();
    await operator?.close();
    redis?.disconnect();
    await appliance?.close();
    await server?.destroy();
  });

  it("reads only the fields it shows: a few kilobytes from Redis, not the jobs' megabytes", async () => {
    const before = await bytesSent(redis);
    const listed = await runCli(["failed", "list", "--batch", "big", "--json"], cliEnv);
    const sent = (await bytesSent(redis)) - before;
    expect({ code: listed.code, stderr: stderrBeyondTarget(listed.stderr) }).toEqual({
      code: 0,
      stderr: "",
    });
    const views = JSON.parse(listed.stdout) as FailedJobView[];
    expect(views.map((v) => [v.pid, v.reference, v.batch, v.attempts]).sort()).toEqual(
      Array.from({ length: BIG }, (_, i) => [`guest-${i}`, `REF-${i}`, "big", 1]),
    );
    for (const view of views) expect(view.reason).toMatch(/^AXELNAC_GUEST_NOT_FOUND: /);
    expect(sent).toBeLessThan(64 * 1024);
    expectNoSecrets(listed.stdout, passwords);
  });

  it("lists every failed job, or one by id, without the key their passwords are sealed under", async () => {
    const all = await runCli(["failed", "list"], cliEnv);
    expect(all.code).toBe(0);
    expect(all.stdout.trimEnd().split("\n")).toHaveLength(BIG + 1);
    expect(all.stdout).toContain("reference REF-5  pid guest-5  AXELNAC_GUEST_NOT_FOUND  ");

    const [newest] = await operator.queue.getRanges(["failed"], 0, 0);
    const one = await runCli(["failed", "list", "--id", String(newest), "--json"], cliEnv);
    expect((JSON.parse(one.stdout) as FailedJobView[]).map((v) => v.id)).toEqual([newest]);
    expectNoSecrets(`${all.stdout}${one.stdout}`, passwords);
  });
});
