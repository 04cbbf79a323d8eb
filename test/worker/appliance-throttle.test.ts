import { loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { type ConnectedProducer, connectDeliveryProducer } from "../../src/wiring/producer";
import { expectCleanLogs, guestJobs, waitForAllDelivered } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { waitUntil } from "../support/wait";

const A_DAY_S = 86_400;
const CAP_MS = 12_000;

describe("worker: the appliance asks for a pause of a day (429, Retry-After: 86400)", () => {
  let h: DeliveryHarness | undefined;
  let producer: ConnectedProducer | undefined;

  afterEach(async () => {
    await producer?.close();
    producer = undefined;
    await h?.close();
    h = undefined;
  });

  it("pauses the fleet THROTTLE_PAUSE_MAX at most and logs each such answer with the value asked for", async () => {
    h = await DeliveryHarness.start({ settings: { THROTTLE_PAUSE_MAX: `${CAP_MS}ms` } });
    const { sim, queue } = h;
    const env = h.workerEnv();
    producer = await connectDeliveryProducer(loadConfig(env), createLogger({ level: "silent" }));
    await h.fleet.start(2);
    sim.setFaults({ throttleRate: 1, retryAfterSeconds: A_DAY_S });
    const jobs = guestJobs(30, "throttled");
    await producer.producer.enqueueMany(jobs.map((job) => ({ ...job, batch_id: "day-off" })));

    await waitUntil(() => h?.fleet.lines().some((l) => l.level === 50) ?? false, {
      what: "the error line of an over-long Retry-After",
      describe: () => h?.fleet.output().slice(-3_000),
    });
    // Jobs fetched before the pause began go on to meet the 429 and come back to waiting.
    await waitUntil(async () => (await queue.getActiveCount()) === 0, {
      what: "no job in flight",
    });
    sim.setFaults({ throttleRate: 0 });
    expect(sim.outbox()).toHaveLength(0);

    await waitForAllDelivered(sim, queue, jobs, CAP_MS + 15_000);
    const lines = h.fleet.lines();
    const errors = lines.filter((l) => (l.level ?? 0) >= 50);
    const pausedAt = Math.min(...errors.map((l) => Number(l.time)));
    const deliveredAt = lines.filter((l) => l.outcome === "delivered").map((l) => Number(l.time));
    const resumedAt = Math.min(...deliveredAt);
    console.log(
      `Retry-After of a day: ${JSON.stringify({
        capMs: CAP_MS,
        answered429: sim.stats().responses["429"],
        errorLines: errors.length,
        resumedAfterMs: resumedAt - pausedAt,
      })}`,
    );
    // One error line per over-long answer, with the value asked for and the cap.
    expect(errors).toHaveLength(sim.stats().responses["429"] ?? 0);
    for (const line of errors) {
      expect(line).toMatchObject({
        code: "AXELNAC_THROTTLED",
        retryAfterMs: A_DAY_S * 1_000,
        pauseMs: CAP_MS,
      });
      expect(line.msg).toContain("86400 s");
    }
    // Nothing went out during the pause: the first delivery came once it was over.
    expect(resumedAt - pausedAt).toBeGreaterThanOrEqual(CAP_MS);

    expect((await queue.getJobCounts("failed")).failed).toBe(0);
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  }, 60_000);
});
