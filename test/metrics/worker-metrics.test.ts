import { randomUUID } from "node:crypto";
import {
  expectCleanLogs,
  type GuestJob,
  guestJobs,
  waitForAllDelivered,
} from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { waitUntil } from "../support/wait";
import { observabilityUrl, type Sample, sampleSum, scrape } from "./scrape";

const P = "axelnac_courier_";

/** Enqueues as an upstream system does, each job of a batch and with a reference. */
async function enqueueInBatch(h: DeliveryHarness, jobs: GuestJob[], batch: string): Promise<void> {
  await h.queue.addBulk(
    jobs.map((job) => ({
      name: "deliver-credentials",
      data: { ...job, batch_id: batch, reference: `ref-${job.pid}` },
    })),
  );
}

/** Scrapes until `holds` is true of the samples; returns them. */
async function scrapeUntil(
  url: string,
  holds: (samples: Sample[]) => boolean,
  what: string,
): Promise<{ text: string; samples: Sample[] }> {
  let last = { text: "", samples: [] as Sample[] };
  await waitUntil(
    async () => {
      last = await scrape(url);
      return holds(last.samples);
    },
    {
      timeoutMs: 30_000,
      intervalMs: 200,
      what,
      describe: () => last.text.split("\n").filter((l) => l.startsWith(P)),
    },
  );
  return last;
}

describe("metrics: values that move with real deliveries", () => {
  let h: DeliveryHarness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("counts each delivery, its latency, the sends and the login; no pid, reference or batch in the text", async () => {
    h = await DeliveryHarness.start();
    const [worker] = await h.fleet.start(1, { METRICS_PORT: "0" });
    const url = await observabilityUrl(worker as NonNullable<typeof worker>);
    const jobs = guestJobs(25, `metrics-${randomUUID().slice(0, 6)}`);
    const batch = `batch-${randomUUID().slice(0, 8)}`;
    await enqueueInBatch(h, jobs, batch);
    await waitForAllDelivered(h.sim, h.queue, jobs, 30_000);

    const delivered = jobs.length;
    const { text, samples } = await scrapeUntil(
      url,
      (s) => sampleSum(s, `${P}deliveries_total`, { outcome: "delivered" }) >= delivered,
      `${delivered} deliveries counted`,
    );
    expect(sampleSum(samples, `${P}deliveries_total`, { outcome: "delivered" })).toBe(delivered);
    expect(sampleSum(samples, `${P}deliveries_total`, { outcome: "failed" })).toBe(0);
    expect(sampleSum(samples, `${P}delivery_latency_seconds_count`)).toBe(delivered);
    expect(sampleSum(samples, `${P}delivery_latency_seconds_sum`)).toBeGreaterThan(0);
    expect(
      sampleSum(samples, `${P}appliance_request_duration_seconds_count`, {
        operation: "send_user_credentials",
        status: "200",
      }),
    ).toBeGreaterThanOrEqual(delivered);
    expect(
      sampleSum(samples, `${P}appliance_request_duration_seconds_count`, { operation: "login" }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleSum(samples, `${P}logins_total`, { result: "ok" })).toBeGreaterThanOrEqual(1);
    // Every job is done and the queue is empty (read at scrape time, cached up to 5 s).
    await scrapeUntil(
      url,
      (s) => sampleSum(s, `${P}queue_jobs`, { state: "waiting" }) === 0,
      "an empty queue",
    );
    expect(sampleSum(samples, `${P}jobs_in_flight`)).toBe(0);
    expect(sampleSum(samples, `${P}fleet_paused`)).toBe(0);
    // Node's default metrics come along.
    expect(samples.some((s) => s.name === "process_resident_memory_bytes")).toBe(true);
    expect(samples.some((s) => s.name === "nodejs_eventloop_lag_seconds")).toBe(true);

    for (const job of jobs) expect(text).not.toContain(job.pid);
    expect(text).not.toContain(batch);
    expect(text).not.toContain("ref-");
    expect(text).not.toMatch(/guestpw-/);
    expect(text).not.toContain(h.apiPassword);
    expect(text).not.toMatch(/\b[0-9a-f]{64}\b/); // the appliance's tokens
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  }, 90_000);

  it("counts the outcome codes of failures: retries and final failures of an SMS provider that fails", async () => {
    h = await DeliveryHarness.start({ simulator: { failRate: 1 } });
    const [worker] = await h.fleet.start(1, { METRICS_PORT: "0", DELIVERY_ATTEMPTS: "2" });
    const url = await observabilityUrl(worker as NonNullable<typeof worker>);
    const jobs = guestJobs(6, `failing-${randomUUID().slice(0, 6)}`);
    await h.enqueue(jobs);

    const code = "AXELNAC_SMS_PROVIDER_FAILED";
    const { samples } = await scrapeUntil(
      url,
      (s) => sampleSum(s, `${P}deliveries_total`, { outcome: "failed" }) >= jobs.length,
      `${jobs.length} failed deliveries counted`,
    );
    // Two attempts each: the first retried, the second given up on, both with the provider's code.
    expect(sampleSum(samples, `${P}deliveries_total`, { outcome: "failed", code })).toBe(
      jobs.length,
    );
    expect(sampleSum(samples, `${P}deliveries_total`, { outcome: "retried", code })).toBe(
      jobs.length,
    );
    expect(sampleSum(samples, `${P}deliveries_total`, { outcome: "delivered" })).toBe(0);
    expect(sampleSum(samples, `${P}delivery_latency_seconds_count`)).toBe(0);
    expect(
      sampleSum(samples, `${P}appliance_request_duration_seconds_count`, {
        operation: "send_user_credentials",
        status: "500",
      }),
    ).toBe(2 * jobs.length);
    await scrapeUntil(
      url,
      (s) => sampleSum(s, `${P}queue_jobs`, { state: "failed" }) === jobs.length,
      "the failed jobs in the queue's counts",
    );
  }, 90_000);

  it("shows a throttling appliance: the fleet paused, and the jobs held back by its code", async () => {
    h = await DeliveryHarness.start();
    h.sim.setFaults({ throttleRate: 1, retryAfterSeconds: 60 });
    const [worker] = await h.fleet.start(1, { METRICS_PORT: "0", THROTTLE_PAUSE_MAX: "60s" });
    const url = await observabilityUrl(worker as NonNullable<typeof worker>);
    await h.enqueue(guestJobs(3, `throttled-${randomUUID().slice(0, 6)}`));

    const { samples } = await scrapeUntil(
      url,
      (s) => sampleSum(s, `${P}fleet_paused`, { cause: "throttled" }) === 1,
      "the fleet paused by throttling",
    );
    expect(sampleSum(samples, `${P}fleet_paused`, { cause: "unavailable" })).toBe(0);
    expect(
      sampleSum(samples, `${P}jobs_held_back_total`, {
        cause: "throttled",
        code: "AXELNAC_THROTTLED",
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sampleSum(samples, `${P}appliance_request_duration_seconds_count`, { status: "429" }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleSum(samples, `${P}deliveries_total`, { outcome: "failed" })).toBe(0);
  }, 90_000);
});
