import {
  deliveryReport,
  expectCleanLogs,
  guestJobs,
  waitForAllDelivered,
} from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { sleep, waitUntil } from "../support/wait";

describe("worker: stopping and crashing", () => {
  let h: DeliveryHarness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("SIGTERM mid-delivery: the deliveries in flight finish, the worker exits 0, nothing is sent twice", async () => {
    h = await DeliveryHarness.start({ simulator: { latencyMs: 1_000 } });
    const { sim, queue } = h;
    const [stopping] = await h.fleet.start(1, {
      WORKER_CONCURRENCY: "3",
      WORKER_LOCK_DURATION: "2s",
    });
    const jobs = guestJobs(6, "sigterm");
    await h.enqueue(jobs);
    await waitUntil(() => sim.stats().inFlight === 3, { what: "3 sends at the appliance" });

    expect(await stopping?.stop("SIGTERM")).toBe(0);
    // Its three sends were answered and recorded before it exited; nothing it held stays active.
    expect(deliveryReport(sim, jobs)).toMatchObject({ sent: 3, duplicates: 0 });
    expect(await queue.getJobCounts("active", "waiting", "failed")).toEqual({
      active: 0,
      waiting: 3,
      failed: 0,
    });
    const messages = stopping?.lines().map((l) => l.msg) ?? [];
    expect(messages).toContain("stopping: no new jobs; waiting for deliveries in flight");
    expect(messages.at(-1)).toBe("delivery worker stopped");

    await h.fleet.start(1, { WORKER_LOCK_DURATION: "2s" });
    await waitForAllDelivered(sim, queue, jobs, 15_000);
    await sleep(500); // a duplicate of the first three would land now
    expect(deliveryReport(sim, jobs)).toEqual({
      sent: 6,
      delivered: 6,
      duplicates: 0,
      duplicated: [],
      missing: [],
      wrongPassword: [],
    });
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  }, 30_000);

  it("SIGKILL mid-batch: every job is still delivered; duplicates at most the killed worker's jobs in flight", async () => {
    const concurrency = 4;
    const harness = await DeliveryHarness.start({ simulator: { latencyMs: 50 } });
    h = harness;
    const { sim, queue } = harness;
    const settings = { WORKER_CONCURRENCY: String(concurrency), WORKER_LOCK_DURATION: "2s" };
    const jobs = guestJobs(400, "sigkill");
    const startedAt = Date.now();
    // The victim starts alone, so the locks it takes tell its BullMQ worker id.
    const [victim] = await harness.fleet.start(1, settings);
    await harness.enqueue(jobs);
    await waitUntil(async () => (await lockHolders(harness)).length > 0, { what: "a first job" });
    const victimId = (await lockHolders(harness))[0];
    // 3 × 4 slots for 8 requests fleet-wide: the three workers compete for every slot.
    await harness.fleet.start(2, settings);
    await waitUntil(() => sim.outbox().length >= jobs.length / 3, { what: "a third delivered" });
    await waitUntil(async () => (await lockHolders(harness)).includes(victimId ?? ""), {
      what: "the victim holding a job",
    });

    await victim?.kill();
    const killedAt = Date.now();
    // Its jobs keep its locks until they expire (2 s): exactly the deliveries it left in flight.
    const victimInFlight = (await lockHolders(harness)).filter((w) => w === victimId).length;
    const deliveredByVictim = victim?.lines().filter((l) => l.outcome === "delivered").length;
    await waitForAllDelivered(sim, queue, jobs, 30_000);
    const deliveredAt = Date.now();
    await sleep(300); // a late duplicate would land now

    const report = deliveryReport(sim, jobs);
    console.log(
      `SIGKILL mid-batch: ${JSON.stringify({
        jobs: jobs.length,
        killedAfterMs: killedAt - startedAt,
        victimInFlight,
        deliveredByVictim,
        allDeliveredAfterKillMs: deliveredAt - killedAt,
        duplicates: report.duplicates,
        duplicated: report.duplicated,
        peakInFlight: sim.stats().peakInFlight,
      })}`,
    );
    expect(report.missing).toEqual([]);
    expect(report.wrongPassword).toEqual([]);
    expect(victimInFlight).toBeGreaterThan(0);
    expect(victimInFlight).toBeLessThanOrEqual(concurrency);
    // Only a job it left in flight can be sent twice: one the appliance accepted as it died.
    expect(report.duplicates).toBeLessThanOrEqual(victimInFlight);
    expect((await queue.getJobCounts("failed")).failed).toBe(0);
    expect(sim.stats().peakInFlight).toBeLessThanOrEqual(8);
    expectCleanLogs(harness.fleet.output(), [harness.apiPassword]);
  }, 60_000);
});

/** The BullMQ worker id behind the lock of each active job (a lock token is `<workerId>:<n>`). */
async function lockHolders(h: DeliveryHarness): Promise<string[]> {
  const active = await h.queue.getActive();
  const locks = await Promise.all(
    active.map((job) => h.redis.get(`bull:${h.queueName}:${job.id}:lock`)),
  );
  return locks
    .filter((lock): lock is string => lock !== null)
    .map((lock) => lock.split(":")[0] ?? "");
}
