import {
  deliveryReport,
  expectCleanLogs,
  guestJobs,
  guestPassword,
  waitForAllDelivered,
} from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { waitUntil } from "../support/wait";

describe("worker: a plain BullMQ producer's jobs", () => {
  let h: DeliveryHarness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("are delivered with the right password, and a 500 on the first try is retried", async () => {
    h = await DeliveryHarness.start();
    const { sim, queue } = h;
    const [worker] = await h.fleet.start(1);

    // Exactly what an upstream system writes: any job name, BullMQ's default options (attempts 1).
    const first = { pid: "plain-producer-1", password: guestPassword(), source_id: "sms" };
    await queue.add("anything", first);
    await waitForAllDelivered(sim, queue, [first], 10_000);
    const [sms] = sim.outbox();
    expect(sms?.pid).toBe(first.pid);
    expect(sms?.passwordFingerprint).toBe(sim.fingerprint(first.password));

    sim.setFaults({ failRate: 1 });
    const second = { pid: "plain-producer-2", password: guestPassword(), source_id: "sms" };
    await queue.add("anything", second);
    await waitUntil(() => (sim.stats().responses["500"] ?? 0) >= 1, { what: "a 500" });
    sim.setFaults({ failRate: 0 });
    await waitForAllDelivered(sim, queue, [second], 10_000);

    expect(deliveryReport(sim, [first, second])).toMatchObject({ sent: 2, duplicates: 0 });
    expect(sim.outbox().filter((s) => s.pid === second.pid)).toHaveLength(1);
    expect(sim.outbox()[1]?.passwordFingerprint).toBe(sim.fingerprint(second.password));
    expect(await queue.getJobCounts("failed", "completed")).toEqual({ failed: 0, completed: 0 });
    const retries = worker?.lines().filter((l) => l.outcome === "retry") ?? [];
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries.every((l) => l.code === "AXELNAC_SMS_PROVIDER_FAILED")).toBe(true);
    expect(retries.every((l) => l.pid === second.pid)).toBe(true);
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  });

  it("that are invalid fail once, naming the field, and are never sent; an unknown guest fails after one request", async () => {
    const known = { pid: "known-guest", password: guestPassword(), source_id: "sms" };
    h = await DeliveryHarness.start({
      simulator: { guests: new Map([[known.pid, "+79990000001"]]) },
    });
    const { sim, queue } = h;
    await h.fleet.start(1);

    const invalid = [
      { data: { pid: "no-password", source_id: "sms" }, field: "password: is required" },
      {
        data: { pid: "bad pid!", password: guestPassword(), source_id: "sms" },
        field: "pid: AxelNAC accepts only ASCII",
      },
      { data: "not an object", field: "job data must be a JSON object" },
      {
        data: { pid: "x", password: 12345, source_id: "sms" },
        field: "password: must be a string",
      },
    ];
    const invalidJobs = await Promise.all(invalid.map((j) => queue.add("raw", j.data)));
    const unknown = await queue.add("raw", {
      pid: "nobody-by-that-name",
      password: guestPassword(),
      source_id: "sms",
    });
    await queue.add("raw", known);

    await waitUntil(async () => (await queue.getJobCounts("failed")).failed === 5, {
      what: "5 failed jobs",
      describe: async () => queue.getJobCounts(),
    });
    await waitForAllDelivered(sim, queue, [known], 10_000);

    for (const [n, added] of invalidJobs.entries()) {
      const job = await queue.getJob(added.id ?? "");
      expect(await job?.getState()).toBe("failed");
      expect(job?.attemptsMade).toBe(1);
      expect(job?.failedReason).toContain(invalid[n]?.field);
    }
    const failedUnknown = await queue.getJob(unknown.id ?? "");
    expect(await failedUnknown?.getState()).toBe("failed");
    expect(failedUnknown?.attemptsMade).toBe(1);
    expect(failedUnknown?.failedReason).toContain("AXELNAC_GUEST_NOT_FOUND");

    // Only the known guest and the unknown one ever reached the appliance, once each.
    expect(sim.stats().sendRequests).toBe(2);
    expect(sim.stats().responses["404"]).toBe(1);
    expect(sim.outbox().map((s) => s.pid)).toEqual([known.pid]);
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  });

  it("wait, unfailed, while the API password is wrong, and are delivered once it is fixed", async () => {
    h = await DeliveryHarness.start();
    const { sim, queue } = h;
    const jobs = guestJobs(20, "wrong-credentials");
    const wrongPassword = `wrong-api-pw-${h.apiPassword.slice(-8)}`;
    const [misconfigured] = await h.fleet.start(1, { AXELNAC_PASSWORD: wrongPassword });
    await h.enqueue(jobs);

    await waitUntil(() => sim.stats().loginFailures >= 2, {
      timeoutMs: 10_000,
      what: "a second rejected login",
    });
    expect((await queue.getJobCounts("failed")).failed).toBe(0);
    expect(sim.outbox()).toHaveLength(0);
    const errors = misconfigured?.lines().filter((l) => l.level === 50) ?? [];
    expect(errors.some((l) => l.code === "AXELNAC_LOGIN_REJECTED")).toBe(true);
    expect(await misconfigured?.stop("SIGTERM")).toBe(0);
    expect((await queue.getJobCounts("failed")).failed).toBe(0);

    const [fixed] = await h.fleet.start(1);
    await waitForAllDelivered(sim, queue, jobs, 20_000);
    expect(deliveryReport(sim, jobs)).toMatchObject({ duplicates: 0, wrongPassword: [] });
    expect((await queue.getJobCounts("failed")).failed).toBe(0);
    // The outage ends with the restarted worker: it says so, and the fleet forgets the outage
    // (a stale one would hide the next outage's error line and start it with the longest pause).
    expect(fixed?.lines().some((l) => l.msg === "AxelNAC available again: deliveries resume")).toBe(
      true,
    );
    expect(await h.redis.exists(`${h.keyPrefix}:${h.queueName}:appliance-unavailable`)).toBe(0);
    expectCleanLogs(h.fleet.output(), [h.apiPassword, wrongPassword]);
  });
});

describe("the worker log scan", () => {
  it("catches a guest password, an API password or a token", () => {
    expect(() => expectCleanLogs(`{"msg":"x","p":"${guestPassword()}"}`, [])).toThrow(
      /guest password/,
    );
    expect(() => expectCleanLogs(`{"msg":"secret-api-pw"}`, ["secret-api-pw"])).toThrow();
    expect(() => expectCleanLogs(`{"t":"${"ab12".repeat(16)}"}`, [])).toThrow(/API token/);
    expect(() => expectCleanLogs(`{"msg":"fine","hash":"${"ab12".repeat(4)}"}`, [])).not.toThrow();
  });
});
