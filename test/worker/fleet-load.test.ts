import {
  deliveryReport,
  expectCleanLogs,
  guestJobs,
  waitForAllDelivered,
} from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { sleep, waitUntil } from "../support/wait";

const IDLE_TIMEOUT_MS = 1_000;
const MAX_LIFETIME_MS = 2_000;
const REFRESH_MARGIN_MS = 300;
const JOBS = 2_000;

describe("worker: a fleet under load", () => {
  let h: DeliveryHarness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it(`3 workers × 10 deliver ${JOBS} jobs once each through token deaths, a revocation and 5% of 500s`, async () => {
    h = await DeliveryHarness.start({
      simulator: {
        idleTimeoutMs: IDLE_TIMEOUT_MS,
        maxLifetimeMs: MAX_LIFETIME_MS,
        failRate: 0.05,
        // Long enough for requests to overlap, so that the fleet-wide cap of 8 is what limits them.
        latencyMs: 20,
      },
      settings: {
        WORKER_CONCURRENCY: "10",
        AXELNAC_MAX_IN_FLIGHT: "8",
        AXELNAC_TOKEN_IDLE_TIMEOUT: `${IDLE_TIMEOUT_MS}ms`,
        AXELNAC_TOKEN_MAX_LIFETIME: `${MAX_LIFETIME_MS}ms`,
        AXELNAC_TOKEN_REFRESH_MARGIN: `${REFRESH_MARGIN_MS}ms`,
      },
    });
    const { sim, queue } = h;
    await h.fleet.start(3);
    const jobs = guestJobs(JOBS, "load");

    const startedAt = Date.now();
    await h.enqueue(jobs);
    await waitUntil(() => sim.outbox().length >= JOBS / 3, { timeoutMs: 60_000, what: "a third" });
    sim.revokeAllTokens();
    await waitForAllDelivered(sim, queue, jobs, 90_000);
    const elapsedMs = Date.now() - startedAt;
    await sleep(300); // a late duplicate would land now

    const report = deliveryReport(sim, jobs);
    const stats = sim.stats();
    const outbox = sim.outbox();
    const sendSpanMs = Date.parse(outbox.at(-1)?.at ?? "") - Date.parse(outbox[0]?.at ?? "");
    // Token deaths: one per usable lifetime (the worker renews a margin early), the revocation,
    // and the first login; one more for a renewal racing the end of the run.
    const usableLifetimeMs = MAX_LIFETIME_MS - REFRESH_MARGIN_MS;
    const expectedMaxLogins = Math.floor(elapsedMs / usableLifetimeMs) + 1 + 1 + 1;
    // The first login and the one after the revocation. The span of sends over the lifetime is
    // no bound: a loaded machine leaves gaps between one token's death and the next login.
    const expectedMinLogins = 2;
    const figures = {
      jobs: JOBS,
      elapsedMs,
      sendSpanMs,
      deliveriesPerSecond: Math.round((JOBS / elapsedMs) * 1_000),
      logins: stats.logins,
      expectedLogins: `${expectedMinLogins}..${expectedMaxLogins}`,
      unauthorized: stats.unauthorized,
      responses500: stats.responses["500"] ?? 0,
      peakInFlight: stats.peakInFlight,
      duplicates: report.duplicates,
    };
    console.log(`fleet under load: ${JSON.stringify(figures)}`);

    expect(report).toEqual({
      sent: JOBS,
      delivered: JOBS,
      duplicates: 0,
      duplicated: [],
      missing: [],
      wrongPassword: [],
    });
    expect(stats.logins).toBeGreaterThanOrEqual(expectedMinLogins);
    expect(stats.logins).toBeLessThanOrEqual(expectedMaxLogins);
    expect(stats.loginFailures).toBe(0);
    expect(stats.peakInFlight).toBeLessThanOrEqual(8);
    expect(figures.responses500).toBeGreaterThan(0);
    expect(await queue.getJobCounts("failed", "completed")).toEqual({ failed: 0, completed: 0 });
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  }, 150_000);
});
