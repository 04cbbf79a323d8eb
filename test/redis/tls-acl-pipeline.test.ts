import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BatchStatus, isSettled, readBatchStatus } from "../../src/batches/batch-status";
import type { FailedJobView } from "../../src/batches/failed-jobs";
import { loadConfig } from "../../src/config/config";
import { silentLogger } from "../../src/logging/logger";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { type Simulator, startSimulator } from "../../src/simulator";
import { connectOperator, type OperatorConnections } from "../../src/wiring/operator";
import { type CliResult, runCli, stderrBeyondTarget } from "../support/cli";
import { expectNoSecrets } from "../support/log-sink";
import { aclDenials, type LockedRedis, lockDown, withUser } from "../support/redis-acl";
import { createRedisTlsMaterial, type RedisTlsMaterial } from "../support/redis-tls";
import { waitUntil } from "../support/wait";
import { WorkerProcess, workerEnv } from "../support/worker-fleet";

const API = { username: "courier-api", password: `api-pw-${randomUUID()}` };
const OLD = `old:${randomBytes(32).toString("base64")}`;
const NEW = `new:${randomBytes(32).toString("base64")}`;

/**
 * The whole courier against a Redis as production should run it: TLS only, a client certificate
 * required, and the courier logged in as the README's ACL user with the default queue and key
 * names the README's rule is written for. What an operator types goes through the CLI; the test
 * only waits for deliveries through the courier's own code, as the same user.
 */
describe("the courier over TLS with a client certificate, as the README's ACL user", () => {
  let pems: RedisTlsMaterial;
  let server: PrivateRedis;
  let locked: LockedRedis;
  let sim: Simulator;
  let env: Record<string, string>;
  let worker: WorkerProcess | undefined;
  /** The courier's own reading of a batch, as the same user, to wait for it without a process per look. */
  let operator: OperatorConnections;
  let dir: string;
  const outputs: CliResult[] = [];
  const passwords: string[] = [];

  const cli = async (args: string[], input?: string, extra: Record<string, string> = {}) => {
    const result = await runCli(args, { ...env, ...extra }, input);
    outputs.push(result);
    return { ...result, stderr: stderrBeyondTarget(result.stderr) };
  };
  const status = async (batch: string): Promise<BatchStatus> => {
    const result = await cli(["status", "--batch", batch, "--json"]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
    return JSON.parse(result.stdout) as BatchStatus;
  };
  /** Waits until nothing of `batch` is left to deliver, then asks `status` how it went. */
  const settled = async (batch: string, total: number) => {
    await waitUntil(
      async () => {
        const now = await readBatchStatus(operator.queue, operator.redis, operator.keys, batch);
        return isSettled(now) && now.total === total;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `batch ${batch} settled` },
    );
    return status(batch);
  };
  const failedList = async (batch: string): Promise<FailedJobView[]> => {
    const result = await cli(["failed", "list", "--batch", batch, "--json"]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
    return JSON.parse(result.stdout) as FailedJobView[];
  };
  const delivered = () =>
    sim
      .outbox()
      .map((sms) => [sms.pid, sms.passwordFingerprint])
      .sort();
  const guest = (pid: string) => {
    const password = `pw-${pid}-${randomUUID()}`;
    passwords.push(password);
    return { pid, password, fingerprint: () => sim.fingerprint(password) };
  };

  beforeAll(async () => {
    pems = await createRedisTlsMaterial();
    server = await startPrivateRedis({
      dirPrefix: "courier-tls-acl-",
      tls: { ...pems.server, ca: pems.ca.cert, requiredClientCertificate: pems.client },
    });
    locked = await lockDown(server.url, { tls: { ca: pems.ca.cert, ...pems.client } });
    sim = await startSimulator({ port: 0, ...API });
    dir = mkdtempSync(join(tmpdir(), "courier-tls-acl-"));
    env = {
      ...workerEnv({
        redisUrl: withUser(server.url, locked),
        // The defaults: the README's rule names them.
        queueName: "axelnac-credentials",
        keyPrefix: "axelnac-courier",
        applianceUrl: sim.url,
        apiUsername: API.username,
        apiPassword: API.password,
      }),
      REDIS_CA_FILE: pems.files.ca,
      REDIS_CERT_FILE: pems.files.clientCert,
      REDIS_KEY_FILE: pems.files.clientKey,
      AXELNAC_SOURCE_ID: "sms",
      JOB_ENCRYPTION_KEYS: OLD,
      DELIVERY_ATTEMPTS: "2",
      // The rate limiter is one more thing the ACL must allow.
      QUEUE_RATE_LIMIT_MAX: "100",
      LOG_LEVEL: "info",
    };
    operator = await connectOperator(loadConfig(env), silentLogger());
  });

  afterAll(async () => {
    await worker?.stop();
    await operator?.close();
    await sim?.close();
    locked?.admin.disconnect();
    await server?.destroy();
    pems?.remove();
    rmSync(dir, { recursive: true, force: true });
    const everything = [...outputs.map((o) => o.stdout + o.stderr), worker?.output() ?? ""];
    const keys = [OLD, NEW].map((entry) => entry.split(":")[1] as string);
    expectNoSecrets(everything.join("\n"), [locked.password, API.password, ...passwords, ...keys]);
  });

  it("check logs in to the appliance and reads the fleet's token in Redis", async () => {
    const result = await cli(["check"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^ok: http:\/\/127\.0\.0\.1:\d+ accepted the API credentials/m);
  });

  it("a worker delivers what enqueue and import put on the queue", async () => {
    worker = new WorkerProcess("worker", env);
    await worker.ready();
    // Every connection of the worker (BullMQ's blocking one included) is the README's user: the
    // server says so, once the connections a worker opens as it starts have logged in.
    let clients: string[] = [];
    await waitUntil(
      async () => {
        clients = String(await locked.admin.call("CLIENT", "LIST"))
          .trim()
          .split("\n")
          .filter((client) => !/ user=test-admin /.test(client));
        return clients.length >= 2 && clients.every((client) => !/ user=default /.test(client));
      },
      { what: "the worker's connections, logged in", describe: () => clients.join("\n") },
    );
    for (const client of clients) expect(client).toMatch(new RegExp(` user=${locked.user} `));
    expect(clients.join("\n")).toMatch(/ name=axelnac-courier:worker /);

    const walkIn = guest("walk-in-1");
    const enqueued = await cli(
      ["enqueue", "--pid", walkIn.pid, "--batch", "walk-in"],
      `${walkIn.password}\n`,
    );
    expect(enqueued.code).toBe(0);
    expect(enqueued.stdout).toMatch(
      /^enqueued delivery walk-in~[0-9a-f-]{36} for walk-in-1 in batch walk-in\n$/,
    );

    const expo = [guest("expo-1"), guest("expo-2"), guest("expo-3")];
    const csv = join(dir, "expo.csv");
    writeFileSync(csv, `pid,password\n${expo.map((g) => `${g.pid},${g.password}`).join("\n")}\n`);
    const imported = await cli(["import", csv, "--batch", "expo"]);
    expect(imported.stdout).toBe(
      "batch expo: 3 rows, 3 enqueued, 0 duplicates skipped, 0 rejected\n",
    );
    expect(imported.code).toBe(0);

    expect(await settled("expo", 3)).toMatchObject({ delivered: 3, failed: 0 });
    expect(await settled("walk-in", 1)).toMatchObject({ delivered: 1, failed: 0 });
    expect(delivered()).toEqual([walkIn, ...expo].map((g) => [g.pid, g.fingerprint()]).sort());
  });

  it("failed list, retry and purge work on what failed", async () => {
    const late = [guest("late-1"), guest("late-2")];
    sim.setFaults({ failRate: 1 });
    for (const g of late) {
      const result = await cli(["enqueue", "--pid", g.pid, "--batch", "late"], `${g.password}\n`);
      expect(result.code).toBe(0);
    }
    expect(await settled("late", 2)).toMatchObject({ delivered: 0, failed: 2 });
    sim.setFaults({ failRate: 0 });

    const failed = await failedList("late");
    expect(failed.map((f) => [f.pid, f.attempts, f.reason.split(":")[0]]).sort()).toEqual([
      ["late-1", 2, "AXELNAC_SMS_PROVIDER_FAILED"],
      ["late-2", 2, "AXELNAC_SMS_PROVIDER_FAILED"],
    ]);

    const [first, second] = failed;
    const retried = await cli(["failed", "retry", "--id", String(first?.id)]);
    expect(retried).toMatchObject({ code: 0, stdout: "retried 1 failed delivery\n" });
    expect(await settled("late", 2)).toMatchObject({ delivered: 1, failed: 1 });
    const retriedGuest = late.find((g) => g.pid === first?.pid);
    expect(sim.outbox().filter((sms) => sms.pid.startsWith("late-"))).toEqual([
      expect.objectContaining({
        pid: retriedGuest?.pid,
        passwordFingerprint: retriedGuest?.fingerprint(),
      }),
    ]);

    const purged = await cli(["failed", "purge", "--batch", "late"]);
    expect(purged).toMatchObject({ code: 0, stdout: "purged 1 failed delivery\n" });
    expect(await failedList("late")).toEqual([]);
    expect(sim.outbox().map((sms) => sms.pid)).not.toContain(second?.pid);

    const whole = await cli(["status", "--json"]);
    expect(whole.code).toBe(0);
    const batches = (JSON.parse(whole.stdout) as { batches: BatchStatus[] }).batches;
    expect(batches.map((b) => [b.batch, b.delivered, b.failed]).sort()).toEqual([
      ["expo", 3, 0],
      ["late", 1, 1],
      ["walk-in", 1, 0],
    ]);
  });

  it("keys status and keys rotate re-seal what is stored under a new key", async () => {
    await worker?.stop();
    const later = guest("later-1");
    const scheduled = await cli(
      ["enqueue", "--pid", later.pid, "--send-at", "2099-01-01T09:00:00Z"],
      `${later.password}\n`,
    );
    expect(scheduled.code).toBe(0);

    const before = await cli(["keys", "status", "--json"]);
    expect(before).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(before.stdout)).toMatchObject({
      activeKey: "old",
      jobs: { old: { delayed: 1, total: 1 } },
      tokens: { old: 1 },
    });

    const rotated = await cli(["keys", "rotate", "--json"], undefined, {
      JOB_ENCRYPTION_KEYS: `${NEW},${OLD}`,
    });
    expect(rotated).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(rotated.stdout)).toMatchObject({
      activeKey: "new",
      jobs: { resealedFrom: { old: 1 }, unauthentic: 0 },
      token: { resealed: 1 },
    });

    const after = await cli(["keys", "status", "--json"], undefined, { JOB_ENCRYPTION_KEYS: NEW });
    expect(JSON.parse(after.stdout)).toMatchObject({
      jobs: { new: { delayed: 1, total: 1 } },
      tokens: { new: 1 },
      keysNotInRing: [],
    });
  });

  it("the ACL refused nothing the courier asked for, not even what it could have shrugged off", async () => {
    await worker?.stop();
    expect(await aclDenials(locked.admin)).toEqual([]);
  });
});
