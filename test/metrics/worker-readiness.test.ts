import { guestJobs } from "../support/deliveries";
import { closedAfterEach } from "../support/delivery-harness";
import { waitUntil } from "../support/wait";
import { WORKER_ENTRY, WorkerProcess } from "../support/worker-fleet";
import { get, observabilityUrl } from "./scrape";

interface Health {
  status: number;
  body: { status: string; checks: Record<string, string> };
}

async function health(url: string, path: "/livez" | "/readyz"): Promise<Health> {
  const answer = await get(`${url}${path}`);
  return { status: answer.status, body: answer.json() as Health["body"] };
}

/** Asks /readyz until it answers `status`; returns that answer. */
async function readyzUntil(url: string, status: number, worker: WorkerProcess): Promise<Health> {
  let last: Health | undefined;
  await waitUntil(
    async () => {
      if (!worker.running) throw new Error(`the worker exited:\n${worker.output().slice(-3_000)}`);
      last = await health(url, "/readyz");
      return last.status === status;
    },
    { timeoutMs: 30_000, intervalMs: 50, what: `/readyz ${status}`, describe: () => last },
  );
  return last as Health;
}

describe("health checks of a worker", () => {
  const started = closedAfterEach();

  it("Redis stopped: /readyz 503 naming Redis while /livez stays 200; ready again once Redis is back", async () => {
    const redis = await started.privateRedis();
    const h = await started.harness({ privateRedisUrl: redis.url });
    const [worker] = await h.fleet.start(1, { METRICS_PORT: "0" });
    const running = worker as WorkerProcess;
    const url = await observabilityUrl(running);

    const ready = await readyzUntil(url, 200, running);
    expect(ready.body).toEqual({
      status: "ready",
      checks: { redis: "ok", worker: "running", shutdown: "not requested" },
    });

    await redis.stop();
    try {
      const down = await readyzUntil(url, 503, running);
      expect(down.body.status).toBe("not ready");
      expect(down.body.checks.redis).toMatch(/^(not connected \(\w+\)|no answer within 1000 ms)$/);
      expect(down.body.checks.shutdown).toBe("not requested");
      const live = await health(url, "/livez");
      expect(live).toEqual({
        status: 200,
        body: { status: "alive", checks: { process: "answering" } },
      });
      // /metrics still answers, without the queue's counts it cannot read.
      expect((await get(`${url}/metrics`)).status).toBe(200);
    } finally {
      await redis.start();
    }
    const back = await readyzUntil(url, 200, running);
    expect(back.body.checks.redis).toBe("ok");

    // And it delivers again.
    const jobs = guestJobs(3, "after-outage");
    await h.enqueue(jobs);
    await waitUntil(() => h.sim.outbox().length === jobs.length, { timeoutMs: 30_000 });
  }, 90_000);

  it("SIGTERM while a delivery is slow at the appliance: /readyz 503 before the worker exits, which it does with 0", async () => {
    const h = await started.harness({ simulator: { latencyMs: 6_000 } });
    const [worker] = await h.fleet.start(1, { METRICS_PORT: "0", SHUTDOWN_TIMEOUT: "30s" });
    const running = worker as WorkerProcess;
    const url = await observabilityUrl(running);
    await readyzUntil(url, 200, running);
    await h.enqueue(guestJobs(1, "slow"));
    await waitUntil(() => h.sim.stats().inFlight === 1, { what: "the send at the appliance" });

    running.child.kill("SIGTERM");
    const stopping = await readyzUntil(url, 503, running);
    expect(stopping.body.status).toBe("not ready");
    expect(stopping.body.checks).toMatchObject({ redis: "ok", shutdown: "in progress" });
    // Not ready while it still finishes its delivery; then it exits (a second SIGTERM would kill it).
    expect(running.running).toBe(true);
    expect(h.sim.outbox()).toHaveLength(0);
    expect((await running.exited).code).toBe(0);
    expect(h.sim.outbox()).toHaveLength(1);
  }, 90_000);

  it("the worker's own process entry (dist/workers/delivery-worker.js) serves them too", async () => {
    const h = await started.harness();
    const entry = new WorkerProcess("entry", h.workerEnv({ METRICS_PORT: "0" }), WORKER_ENTRY);
    try {
      const url = await observabilityUrl(entry);
      await readyzUntil(url, 200, entry);
      expect((await health(url, "/livez")).status).toBe(200);
      expect((await get(`${url}/metrics`)).text).toContain("axelnac_courier_deliveries_total");
      expect(await entry.stop("SIGTERM", 30_000)).toBe(0);
    } finally {
      await entry.kill();
    }
  }, 60_000);
});
