import { loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { type ConnectedProducer, connectDeliveryProducer } from "../../src/wiring/producer";
import { fleetPauseKey, readFleetPause } from "../../src/worker/fleet-pause-record";
import { runCli } from "../support/cli";
import { expectCleanLogs, guestJobs, waitForAllDelivered } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { waitUntil } from "../support/wait";

const A_DAY_S = 86_400;
// Long enough that four status runs and a restart of the fleet fit inside it on a loaded machine.
const CAP_MS = 20_000;

describe("worker: the appliance asks for a pause of a day (429, Retry-After: 86400)", () => {
  let h: DeliveryHarness | undefined;
  let producer: ConnectedProducer | undefined;

  afterEach(async () => {
    await producer?.close();
    producer = undefined;
    await h?.close();
    h = undefined;
  });

  it("pauses the fleet THROTTLE_PAUSE_MAX at most, logs each such answer, shows the pause in status while it lasts, and a restart does not extend it", async () => {
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

    // While it lasts: status says why the fleet waits, what was asked and how long is left.
    const [queueText, queueJson, batchText, batchJson] = await Promise.all([
      runCli(["status"], env),
      runCli(["status", "--json"], env),
      runCli(["status", "--batch", "day-off"], env),
      runCli(["status", "--batch", "day-off", "--json"], env),
    ]);
    const pauseLine =
      /^paused {7}(\d+) s more: the appliance is throttling \(AXELNAC_THROTTLED\): it asked for 86400 s; capped at 20 s by THROTTLE_PAUSE_MAX$/m;
    for (const text of [queueText, batchText]) {
      expect(text.code).toBe(0);
      const left = Number(pauseLine.exec(text.stdout)?.[1]);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(CAP_MS / 1_000);
    }
    expect(batchText.stdout.split("\n")[0]).toMatch(/^batch day-off +total 30 /);
    const pauses = [queueJson, batchJson].map((result) => JSON.parse(result.stdout).pause);
    for (const pause of pauses) {
      expect(pause).toEqual({
        cause: "throttled",
        code: "AXELNAC_THROTTLED",
        retryAfterMs: A_DAY_S * 1_000,
        cappedAtMs: CAP_MS,
        reason: "the appliance is throttling",
        remainingMs: expect.any(Number),
        endsAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(pause.remainingMs).toBeGreaterThan(0);
      expect(pause.remainingMs).toBeLessThanOrEqual(CAP_MS);
    }

    // Restarting every worker neither ends the pause nor extends it.
    const key = fleetPauseKey(h.keyPrefix, h.queueName);
    const before = await readFleetPause(h.redis, key);
    await Promise.all(h.fleet.workers.map((worker) => worker.stop("SIGTERM")));
    await h.fleet.start(2);
    const after = await readFleetPause(h.redis, key);
    expect(after?.endsAt).toBe(before?.endsAt);

    await waitForAllDelivered(sim, queue, jobs, CAP_MS + 15_000);
    const lines = h.fleet.lines();
    const errors = lines.filter((l) => (l.level ?? 0) >= 50);
    const pausedAt = Math.min(...errors.map((l) => Number(l.time)));
    const pauseEndsAt = Date.parse(before?.endsAt ?? "");
    const deliveredAt = lines.filter((l) => l.outcome === "delivered").map((l) => Number(l.time));
    const resumedAt = Math.min(...deliveredAt);
    console.log(
      `Retry-After of a day: ${JSON.stringify({
        capMs: CAP_MS,
        answered429: sim.stats().responses["429"],
        errorLines: errors.length,
        pauseMs: pauseEndsAt - pausedAt,
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
    // Nothing went out between the pause's start and its end.
    expect(resumedAt).toBeGreaterThanOrEqual(pauseEndsAt);

    // Once over, status shows no pause.
    const [overText, overJson] = await Promise.all([
      runCli(["status", "--batch", "day-off"], env),
      runCli(["status", "--json"], env),
    ]);
    expect(overText.stdout).not.toContain("paused");
    expect(JSON.parse(overJson.stdout).pause).toBeNull();
    expect((await queue.getJobCounts("failed")).failed).toBe(0);
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  }, 75_000);

  it("a Retry-After of 0 fails no job: the fleet tries again at once", async () => {
    h = await DeliveryHarness.start();
    const { sim, queue } = h;
    await h.fleet.start(1);
    sim.setFaults({ throttleRate: 1, retryAfterSeconds: 0 });
    const jobs = guestJobs(5, "retry-now");
    await h.enqueue(jobs);
    await waitUntil(() => (sim.stats().responses["429"] ?? 0) >= 10, {
      what: "ten 429s",
      describe: async () => (await queue.getFailed()).map((job) => job.failedReason),
    });
    sim.setFaults({ throttleRate: 0 });
    await waitForAllDelivered(sim, queue, jobs, 10_000);
    expect((await queue.getJobCounts("failed")).failed).toBe(0);
    expect(h.fleet.lines().filter((l) => (l.level ?? 0) >= 50)).toEqual([]);
  }, 30_000);
});
