import { randomUUID } from "node:crypto";
import { type BatchStatus, isSettled, readBatchStatus } from "../../src/batches/batch-status";
import type { FailedJobView } from "../../src/batches/failed-jobs";
import { type Config, loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { type Simulator, startSimulator } from "../../src/simulator";
import { connectOperator, type OperatorConnections } from "../../src/wiring/operator";
import { type ConnectedProducer, connectDeliveryProducer } from "../../src/wiring/producer";
import { type RunningDeliveryWorker, startDeliveryWorker } from "../../src/worker/start";
import { type CliResult, runCli, stderrBeyondTarget } from "../support/cli";
import { runCommand } from "../support/command-in-process";
import { expectNoSecrets } from "../support/log-sink";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { waitUntil } from "../support/wait";

interface Guest {
  pid: string;
  password: string;
  reference: string;
}

const guest = (pid: string, n: number): Guest => ({
  pid,
  password: `failed-test-pw-${randomUUID()}`,
  reference: `REG-${n}`,
});

/** guest-1 … guest-3 exist on the first appliance; ghost-1 and ghost-2 do not (404). */
const EXPO = [
  guest("guest-1", 1),
  guest("guest-2", 2),
  guest("ghost-1", 3),
  guest("guest-3", 4),
  guest("ghost-2", 5),
];
const FLAKY = guest("guest-1", 6);

describe("axelnac-courier failed", () => {
  const redis = testRedis();
  const queueName = `test-${randomUUID()}`;
  const prefix = uniquePrefix("cli-failed");
  const logger = createLogger({ level: "silent" });
  const outputs: CliResult[] = [];
  const simulators: Simulator[] = [];
  let env: Record<string, string>;
  let producer: ConnectedProducer;
  let operator: OperatorConnections;
  let worker: RunningDeliveryWorker | undefined;

  /** The settings of a worker and of the commands, against one appliance. */
  const settings = (sim: Simulator): Record<string, string> => ({
    REDIS_URL: testRedisUrl(),
    QUEUE_NAME: queueName,
    REDIS_KEY_PREFIX: prefix,
    AXELNAC_URL: sim.url,
    AXELNAC_USERNAME: "admin",
    AXELNAC_PASSWORD: "admin",
    DELIVERY_ATTEMPTS: "3",
    DELIVERY_BACKOFF: "50ms",
    DELIVERY_BACKOFF_MAX: "200ms",
    SHUTDOWN_TIMEOUT: "5s",
    LOG_LEVEL: "warn",
  });

  const startAppliance = async (guests?: string[]) => {
    const sim = await startSimulator({
      port: 0,
      guests: guests && new Map(guests.map((pid) => [pid, "+79990001122"])),
    });
    simulators.push(sim);
    return sim;
  };

  const startWorker = async (config: Config) => {
    await worker?.close();
    worker = await startDeliveryWorker(config, logger);
  };

  /** In this process; the list in a time zone of its own runs as the binary, TZ being the process'. */
  const cli = async (...args: string[]) => {
    const result = await runCommand(args, env);
    outputs.push(result);
    return result;
  };

  const failedList = async (batch: string) => {
    const result = await cli("failed", "list", "--batch", batch, "--json");
    expect({ code: result.code, stderr: stderrBeyondTarget(result.stderr) }).toEqual({
      code: 0,
      stderr: "",
    });
    return (JSON.parse(result.stdout) as FailedJobView[]).sort((a, b) =>
      String(a.pid).localeCompare(String(b.pid)),
    );
  };

  const statusOf = async (batch: string) => {
    const result = await cli("status", "--batch", batch, "--json");
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as BatchStatus;
  };

  const settled = (batch: string) =>
    waitUntil(
      async () => {
        const status = await readBatchStatus(operator.queue, redis, operator.keys, batch);
        return isSettled(status);
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `batch ${batch} settled` },
    );

  const enqueue = (batch: string, guests: Guest[]) =>
    producer.producer.enqueueMany(
      guests.map((g) => ({ ...g, source_id: "sms", batch_id: batch })),
      { priority: 1000 },
    );

  beforeAll(async () => {
    const first = await startAppliance(["guest-1", "guest-2", "guest-3"]);
    env = settings(first);
    const config = loadConfig(env);
    producer = await connectDeliveryProducer(config, logger);
    operator = await connectOperator(config, logger);
    await startWorker(config);
  });

  afterAll(async () => {
    await worker?.close();
    await producer.close();
    await operator.close();
    for (const sim of simulators) await sim.close();
    await deleteKeys(redis, `bull:${queueName}:`);
    await deleteKeys(redis, prefix);
    redis.disconnect();
    const everything = outputs.map((o) => o.stdout + o.stderr).join("\n");
    expectNoSecrets(
      everything,
      [...EXPO, FLAKY].map((g) => g.password),
    );
  });

  it("lists a batch's failed deliveries: job, pid, reference, attempts and reason, no password", async () => {
    await enqueue("expo", EXPO);
    await settled("expo");
    const failed = await failedList("expo");
    expect(failed).toEqual(
      [
        ["ghost-1", "REG-3"],
        ["ghost-2", "REG-5"],
      ].map(([pid, reference]) => ({
        id: expect.stringMatching(/^expo~/),
        batch: "expo",
        pid,
        reference,
        attempts: 1,
        reason: expect.stringMatching(/^AXELNAC_GUEST_NOT_FOUND: /),
        failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        // A producer's job carries no file line.
        line: null,
        code: "AXELNAC_GUEST_NOT_FOUND",
        message: expect.any(String),
      })),
    );
    for (const view of failed) {
      expect(Object.values(view).join(" ")).not.toMatch(/pw-/);
      // The code once: not again at the end of the appliance's words.
      expect(view.message).not.toContain("AXELNAC_GUEST_NOT_FOUND");
      expect(view.reason).toBe(
        `AXELNAC_GUEST_NOT_FOUND: ${view.message} (AXELNAC_GUEST_NOT_FOUND)`,
      );
    }

    // The time each failed, to the minute, in the command's local time zone.
    const zone = "Asia/Kathmandu";
    const local = new Intl.DateTimeFormat("sv-SE", {
      timeZone: zone,
      dateStyle: "short",
      timeStyle: "short",
    });
    const text = await runCli(["failed", "list", "--batch", "expo"], { ...env, TZ: zone });
    outputs.push(text);
    expect(text.code).toBe(0);
    expect(text.stdout.trimEnd().split("\n").sort()).toEqual(
      failed
        .map(
          (v) =>
            `${local.format(new Date(String(v.failedAt)))}  line -  reference ${v.reference}  pid ${v.pid}  AXELNAC_GUEST_NOT_FOUND  ${v.message}  attempts 1  job ${v.id}`,
        )
        .sort(),
    );
  });

  it("counts every attempt of a delivery that gave up, the last one included", async () => {
    const [sim] = simulators;
    sim?.setFaults({ failRate: 1 });
    try {
      await enqueue("flaky", [FLAKY]);
      await settled("flaky");
    } finally {
      sim?.setFaults({ failRate: 0 });
    }
    expect(await failedList("flaky")).toEqual([
      expect.objectContaining({
        pid: "guest-1",
        reference: "REG-6",
        attempts: 3,
        // The code leads every reason, a final one too; the attempts follow the appliance's words.
        reason: expect.stringMatching(
          /^AXELNAC_SMS_PROVIDER_FAILED: .* \(gave up after 3 attempts\)$/,
        ),
      }),
    ]);
  });

  it("retry --batch sends them again once the cause is fixed; status moves them from failed to delivered", async () => {
    expect(await statusOf("expo")).toMatchObject({ total: 5, delivered: 3, failed: 2 });
    // The appliance now knows every guest (as after creating the missing accounts).
    const fixed = await startAppliance();
    await startWorker(loadConfig(settings(fixed)));

    const retried = await cli("failed", "retry", "--batch", "expo");
    expect(retried).toMatchObject({ code: 0, stdout: "retried 2 failed deliveries\n" });
    await settled("expo");

    expect(await statusOf("expo")).toEqual({
      batch: "expo",
      total: 5,
      waiting: 0,
      delayed: 0,
      active: 0,
      delivered: 5,
      failed: 0,
      cancelled: 0,
      paused: false,
      createdAt: expect.any(String),
      pause: null,
      workers: 1,
    });
    expect(await failedList("expo")).toEqual([]);
    const ghosts = EXPO.filter((g) => g.pid.startsWith("ghost"));
    expect(
      fixed
        .outbox()
        .map((sms) => [sms.pid, sms.passwordFingerprint])
        .sort(),
    ).toEqual(ghosts.map((g) => [g.pid, fixed.fingerprint(g.password)]));
  });

  it("retry and purge without --batch, --id or --all change nothing and exit 2", async () => {
    for (const action of ["retry", "purge"]) {
      const result = await cli("failed", action);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(`^failed: ${action} needs --batch ID, --id JOB or --all, so that nothing`),
      );
    }
    expect(await failedList("flaky")).toHaveLength(1);
  });

  it("purge --id removes that job; the batch still counts it as failed", async () => {
    const [job] = await failedList("flaky");
    const purged = await cli("failed", "purge", "--id", String(job?.id));
    expect(purged).toMatchObject({ code: 0, stdout: "purged 1 failed delivery\n" });
    expect(await operator.queue.getJob(String(job?.id))).toBeUndefined();
    expect(await failedList("flaky")).toEqual([]);
    expect(await statusOf("flaky")).toMatchObject({ total: 1, delivered: 0, failed: 1 });
  });
});
