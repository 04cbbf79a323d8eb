import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { type Simulator, startSimulator } from "../../src/simulator";
import { type RunningDeliveryWorker, startDeliveryWorker } from "../../src/worker/start";
import { type CliResult, runCli, stderrBeyondTarget } from "../support/cli";
import { expectNoSecrets } from "../support/log-sink";
import { type LockedRedis, lockDown, withUser } from "../support/redis-acl";
import { createRedisTlsMaterial, type RedisTlsMaterial } from "../support/redis-tls";
import { waitUntil } from "../support/wait";

/**
 * A Redis over TLS that trusts the courier by its password alone (no client certificate, the
 * common managed-Redis set-up), with the README's ACL user: the courier works with REDIS_CA_FILE
 * only, and the ACL really does keep it, and anyone holding its password, to its own keys.
 * No key ring here, unlike the pipeline's: a producer then stores the duplicate-key secret it
 * generates, in a transaction.
 */
describe("Redis over TLS with a CA file only, as the README's ACL user", () => {
  let pems: RedisTlsMaterial;
  let server: PrivateRedis;
  let locked: LockedRedis;
  let sim: Simulator;
  let env: Record<string, string>;
  let worker: RunningDeliveryWorker | undefined;
  const outputs: CliResult[] = [];
  const GUEST_PASSWORD = `guest-pw-${randomUUID()}`;

  const cli = async (args: string[], extra: Record<string, string> = {}, input?: string) => {
    const result = await runCli(args, { ...env, ...extra }, input);
    outputs.push(result);
    return { ...result, stderr: stderrBeyondTarget(result.stderr) };
  };

  beforeAll(async () => {
    pems = await createRedisTlsMaterial();
    server = await startPrivateRedis({
      dirPrefix: "courier-acl-",
      tls: { ...pems.server, ca: pems.ca.cert },
    });
    locked = await lockDown(server.url, { tls: { ca: pems.ca.cert } });
    sim = await startSimulator({ port: 0 });
    env = {
      REDIS_URL: withUser(server.url, locked),
      REDIS_CA_FILE: pems.files.ca,
      AXELNAC_URL: sim.url,
      AXELNAC_USERNAME: "admin",
      AXELNAC_PASSWORD: "admin",
      AXELNAC_SOURCE_ID: "sms",
      LOG_LEVEL: "warn",
    };
  });

  afterAll(async () => {
    await worker?.close();
    await sim?.close();
    locked?.admin.disconnect();
    await server?.destroy();
    pems?.remove();
    const everything = outputs.map((o) => o.stdout + o.stderr).join("\n");
    expectNoSecrets(everything, [locked.password, GUEST_PASSWORD]);
  });

  it("check, enqueue and a worker deliver an SMS", async () => {
    const checked = await cli(["check"]);
    expect(checked).toMatchObject({ code: 0, stderr: "" });
    expect(checked.stdout).toMatch(/^ok: .* accepted the API credentials of "admin"/m);

    worker = await startDeliveryWorker(loadConfig(env), createLogger({ level: "silent" }));
    const enqueued = await cli(["enqueue", "--pid", "jdoe"], {}, `${GUEST_PASSWORD}\n`);
    expect(enqueued.code).toBe(0);
    await waitUntil(() => sim.outbox().length === 1, { what: "the SMS at the simulator" });
    expect(sim.outbox()).toEqual([
      expect.objectContaining({
        pid: "jdoe",
        passwordFingerprint: sim.fingerprint(GUEST_PASSWORD),
      }),
    ]);
  });

  it("keeps the courier's user to its own keys and channels, and away from what is dangerous", async () => {
    await locked.admin.set("other-app:secret", "not for the courier");
    const courier = new Redis(withUser(server.url, locked), { tls: { ca: pems.ca.cert } });
    try {
      const refusals = await Promise.all(
        [
          ["GET", "other-app:secret"],
          ["SET", "bull:another-queue:meta", "x"],
          ["PUBLISH", "other-app:events", "x"],
          ["FLUSHALL"],
          ["KEYS", "*"],
          ["CONFIG", "GET", "maxmemory"],
          ["CLIENT", "LIST"],
          ["FUNCTION", "FLUSH"],
          ["SCRIPT", "FLUSH"],
        ].map(([command, ...args]) =>
          courier.call(command as string, ...args).then(
            () => `${command}: allowed`,
            (error: Error) => `${command}: ${error.message.split(" ")[0]}`,
          ),
        ),
      );
      expect(refusals).toEqual([
        "GET: NOPERM",
        "SET: NOPERM",
        "PUBLISH: NOPERM",
        "FLUSHALL: NOPERM",
        "KEYS: NOPERM",
        "CONFIG: NOPERM",
        "CLIENT: NOPERM",
        "FUNCTION: NOPERM",
        "SCRIPT: NOPERM",
      ]);
      expect(await locked.admin.get("other-app:secret")).toBe("not for the courier");
      // What key rotation will do: SCAN the courier's keys, read and rewrite a job's hash, by
      // hand and in a script.
      const [, keys] = await courier.scan("0", "MATCH", "axelnac-courier:*", "COUNT", 1_000);
      expect(keys).toHaveLength(4);
      expect(keys).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^axelnac-courier:[0-9a-f]{16}:token$/),
          expect.stringMatching(/^axelnac-courier:[0-9a-f]{16}:token:last-login$/),
          "axelnac-courier:duplicate-key-secret",
          // The running worker's presence (src/worker/worker-presence.ts).
          "axelnac-courier:axelnac-credentials:workers",
        ]),
      );
      const job = "bull:axelnac-credentials:rotation-probe";
      await courier.hset(job, "data", "before");
      expect(await courier.hget(job, "data")).toBe("before");
      const swap =
        "redis.call('HSET', KEYS[1], 'data', ARGV[1]) return redis.call('HGET', KEYS[1], 'data')";
      expect(await courier.eval(swap, 1, job, "after")).toBe("after");
      await courier.del(job);
    } finally {
      courier.disconnect();
    }
  });

  it("refuses a courier pointed at another queue, and the command says why", async () => {
    const result = await cli(["status"], { QUEUE_NAME: "another-queue" });
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "failed: ERROR: NOPERM this user has no permissions to access one of the keys used as arguments\n",
    });
  });
});
