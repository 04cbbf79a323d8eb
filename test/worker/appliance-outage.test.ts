import {
  deliveryReport,
  expectCleanLogs,
  guestJobs,
  waitForAllDelivered,
} from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { sleep, waitUntil } from "../support/wait";

const OUTAGE_MS = 20_000;

describe("worker: the appliance goes down", () => {
  let h: DeliveryHarness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("for 20 s mid-batch: no job fails, all are delivered once it returns, the logs say down then up", async () => {
    h = await DeliveryHarness.start({ simulator: { latencyMs: 20 } });
    const { sim, queue } = h;
    await h.fleet.start(2);
    const jobs = guestJobs(300, "appliance-down");
    await h.enqueue(jobs);
    await waitUntil(() => sim.outbox().length >= jobs.length / 3, { what: "a third delivered" });

    await sim.goDown(OUTAGE_MS);
    const downAt = Date.now();
    // A request whose latency timer fires in the same turn as the outage may still be accepted.
    await sleep(1_000);
    const sentWhenDown = sim.outbox().length;
    // status tells why nothing moves.
    const pause = await h.waitForPause(10_000);
    expect(pause).toMatchObject({ cause: "unavailable", code: "AXELNAC_UNREACHABLE" });
    await sleep(downAt + OUTAGE_MS - 3_000 - Date.now());
    // Deep into the outage: nothing sent, nothing given up on.
    expect(sim.outbox()).toHaveLength(sentWhenDown);
    expect((await queue.getJobCounts("failed")).failed).toBe(0);

    await waitForAllDelivered(sim, queue, jobs, OUTAGE_MS);
    const back = Date.now() - downAt;
    await sleep(300);
    const report = deliveryReport(sim, jobs);
    const lines = h.fleet.lines();
    const errors = lines.filter((l) => (l.level ?? 0) >= 50);
    const ambiguous = lines.filter((l) => l.outcome === "ambiguous").length;
    const recovered = lines.filter((l) => l.msg === "AxelNAC available again: deliveries resume");
    console.log(
      `appliance down: ${JSON.stringify({
        jobs: jobs.length,
        sentWhenDown,
        allDeliveredAfterDownMs: back,
        duplicates: report.duplicates,
        errorLines: errors.length,
        downMsLogged: recovered[0]?.downMs,
        ambiguous,
        probes: lines.filter((l) => l.msg === "AxelNAC still unavailable").length,
      })}`,
    );

    expect(report.missing).toEqual([]);
    expect(report.wrongPassword).toEqual([]);
    // Only a send cut off mid-way may have been accepted: it is retried (DELIVERY_RETRY_AMBIGUOUS).
    expect(report.duplicates).toBeLessThanOrEqual(ambiguous);
    expect(ambiguous).toBeLessThanOrEqual(8);
    expect((await queue.getJobCounts("failed")).failed).toBe(0);
    // One error line for the fleet when the appliance went away, one info line when it came back.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "AXELNAC_UNREACHABLE" });
    expect(String(errors[0]?.msg)).toMatch(/^AxelNAC unavailable to every job/);
    expect(recovered).toHaveLength(1);
    expect(Number(recovered[0]?.downMs)).toBeGreaterThanOrEqual(OUTAGE_MS - 1_000);
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  }, 60_000);
});
