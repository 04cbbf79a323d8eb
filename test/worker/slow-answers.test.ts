import {
  deliveryReport,
  expectCleanLogs,
  guestJobs,
  unfinishedJobs,
  waitForAllDelivered,
} from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { waitUntil } from "../support/wait";

/**
 * An appliance (or a proxy before it) whose answers trickle in: the status line at once, then the
 * body a byte at a time. The SMS has gone out; only the answer is slow.
 */
describe("worker: answers that trickle in", () => {
  let h: DeliveryHarness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("end at AXELNAC_REQUEST_TIMEOUT as AXELNAC_OUTCOME_UNKNOWN and free their slots for the other jobs", async () => {
    h = await DeliveryHarness.start();
    const { sim, queue } = h;
    // Not retried, so each trickled job ends with the outcome its attempt got.
    await h.fleet.start(1, { AXELNAC_REQUEST_TIMEOUT: "1s", DELIVERY_RETRY_AMBIGUOUS: "false" });
    // A byte every 200 ms: never an idle gap near the timeout, but some 12 s for the whole body.
    sim.setFaults({ trickleRate: 1, trickleIntervalMs: 200 });
    const slow = guestJobs(8, "trickled");
    await h.enqueue(slow);
    // Every slot the fleet has at the appliance (AXELNAC_MAX_IN_FLIGHT=8) holds a trickling answer.
    await waitUntil(() => sim.stats().sent === slow.length, { what: "8 trickling answers" });
    const tricklingSince = Date.now();
    sim.setFaults({ trickleRate: 0 });
    const others = guestJobs(40, "after-trickle");
    await h.enqueue(others);

    // Far less than one trickled answer takes: only freed slots can deliver them in time.
    await waitForAllDelivered(sim, queue, others, 10_000);
    const othersDeliveredAfterMs = Date.now() - tricklingSince;
    await waitUntil(async () => (await unfinishedJobs(queue)) === 0, { what: "a settled queue" });

    const failed = await queue.getFailed();
    const ambiguous = h.fleet.lines().filter((l) => l.outcome === "ambiguous");
    const attemptMs = ambiguous.map((l) => Number(l.time) - tricklingSince);
    console.log(
      `trickled answers: ${JSON.stringify({
        trickled: slow.length,
        requestTimeoutMs: 1_000,
        ambiguousLoggedAfterMs: [Math.min(...attemptMs), Math.max(...attemptMs)],
        othersDelivered: others.length,
        othersDeliveredAfterMs,
      })}`,
    );
    expect(failed.map((job) => job.data.pid).sort()).toEqual(slow.map((j) => j.pid).sort());
    for (const job of failed) {
      expect(job.failedReason).toMatch(/^AXELNAC_OUTCOME_UNKNOWN: /);
      expect(job.failedReason).toContain("no complete answer within 1000 ms");
    }
    expect(ambiguous).toHaveLength(slow.length);
    expect(ambiguous.every((l) => l.code === "AXELNAC_OUTCOME_UNKNOWN")).toBe(true);
    // Ambiguous indeed: the appliance had sent each of them, once.
    expect(deliveryReport(sim, slow)).toMatchObject({ sent: 8, duplicates: 0, missing: [] });
    expect(deliveryReport(sim, others)).toMatchObject({ sent: 40, duplicates: 0, missing: [] });
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  }, 40_000);

  it("SIGTERM during one: the worker exits within SHUTDOWN_TIMEOUT and a margin, and the job is delivered later", async () => {
    h = await DeliveryHarness.start();
    const { sim, queue } = h;
    const settings = {
      SHUTDOWN_TIMEOUT: "2s",
      // Long enough that the deadline does not end the trickle first.
      AXELNAC_REQUEST_TIMEOUT: "60s",
      WORKER_LOCK_DURATION: "2s",
    };
    const [stopping] = await h.fleet.start(1, settings);
    sim.setFaults({ trickleRate: 1, trickleIntervalMs: 1_000 });
    const jobs = guestJobs(3, "trickle-sigterm");
    await h.enqueue(jobs);
    await waitUntil(() => sim.stats().sent === jobs.length, { what: "3 trickling answers" });

    const signalledAt = Date.now();
    // Generous: three SHUTDOWN_TIMEOUTs, where a trickled answer would take a minute.
    const code = await stopping?.stop("SIGTERM", 3 * 2_000);
    const exitedAfterMs = Date.now() - signalledAt;
    expect(code).toBe(0);
    const messages = stopping?.lines().map((l) => l.msg) ?? [];
    expect(messages).toContain(
      "deliveries still in flight after SHUTDOWN_TIMEOUT: abandoned, their connections cut; they return to waiting once their lock runs out (WORKER_LOCK_DURATION)",
    );
    expect(messages.at(-1)).toBe("delivery worker stopped");
    // The appliance saw the connections go.
    await waitUntil(() => sim.stats().inFlight === 0, { what: "the trickles cut" });

    // Nothing is lost: another worker delivers the abandoned jobs once their lock runs out.
    sim.setFaults({ trickleRate: 0 });
    await h.fleet.start(1, settings);
    await waitUntil(
      async () =>
        deliveryReport(sim, jobs).sent === 2 * jobs.length && (await unfinishedJobs(queue)) === 0,
      { timeoutMs: 20_000, what: "the abandoned jobs delivered again" },
    );
    console.log(
      `SIGTERM during a trickle: ${JSON.stringify({ exitedAfterMs, shutdownTimeoutMs: 2_000 })}`,
    );
    expect((await queue.getJobCounts("failed")).failed).toBe(0);
    // Each was sent twice: the trickled answer's SMS had gone out, which the worker could not know.
    expect(deliveryReport(sim, jobs)).toMatchObject({ duplicates: 3, missing: [] });
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  }, 60_000);
});
