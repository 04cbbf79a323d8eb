import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { type Simulator, startSimulator } from "../../src/simulator";
import { captureLog } from "../support/log-sink";
import { exited, spawnFixture, waitForLine } from "../support/processes";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { fleetMember } from "../support/token-fleet";

const API_PASSWORD = "api-pass-processes-51be";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the shared token across OS processes", () => {
  let sim: Simulator;
  let children: ChildProcessWithoutNullStreams[] = [];
  const log = captureLog();
  let prefix: string;

  beforeEach(async () => {
    prefix = uniquePrefix("processes");
    sim = await startSimulator({ port: 0, password: API_PASSWORD, logger: log.logger });
  });

  afterEach(async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(children.map(exited));
    children = [];
    await sim.close();
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  const fixtureEnv = (extra: Record<string, string> = {}) => ({
    REDIS_URL: testRedisUrl(),
    SIM_URL: sim.url,
    PREFIX: prefix,
    API_PASSWORD,
    ...extra,
  });

  it("4 processes × 50 concurrent deliveries that all see a dead token cause exactly one login", async () => {
    children = Array.from({ length: 4 }, () =>
      spawnFixture("token-fleet-process", fixtureEnv({ CONCURRENCY: "50" })),
    );
    const ready = await Promise.all(
      children.map((c) => waitForLine(c, (l) => l.startsWith("ready "))),
    );
    expect(new Set(ready).size).toBe(1); // one token for all four
    expect(sim.stats().logins).toBe(1);

    sim.revokeAllTokens();
    const results = children.map((c) => waitForLine(c, (l) => l.startsWith("{")));
    for (const child of children) child.stdin.write("go\n");
    const summaries = (await Promise.all(results)).map(
      (l) => JSON.parse(l) as { delivered: number; failed: number },
    );

    expect(summaries.map((s) => s.delivered)).toEqual([50, 50, 50, 50]);
    expect(sim.stats().logins).toBe(2);
    expect(sim.outbox()).toHaveLength(200);
  });

  it("replaces a lock holder killed mid-login once the lock's TTL runs out", async () => {
    sim.setFaults({ latencyMs: 30_000 }); // the holder's login hangs
    const holder = spawnFixture(
      "token-fleet-process",
      fixtureEnv({ MODE: "login", LOCK_TTL_MS: "1500" }),
    );
    children = [holder];
    while (sim.stats().inFlight === 0) await sleep(20); // its login reached the appliance
    holder.kill("SIGKILL");
    await exited(holder);
    sim.setFaults({ latencyMs: 0 });

    const survivor = fleetMember(sim.url, prefix, log.logger, {
      password: API_PASSWORD,
      lockTtlMs: 1_500,
    });
    const startedAt = Date.now();
    const token = await survivor.tokens.getToken();
    const waitedMs = Date.now() - startedAt;
    await survivor.close();

    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(waitedMs).toBeGreaterThan(500); // it did wait for the dead holder's lock
    expect(waitedMs).toBeLessThan(5_000);
  });
});
