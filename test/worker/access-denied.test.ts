/**
 * An API account without the role to send: the appliance's front end answers every send 403.
 * End to end against the simulator's own restricted account: the fleet pauses with
 * AXELNAC_ACCESS_DENIED, nothing is sent or failed, and once the role is granted all go out.
 */
import { guestJobs, waitForAllDelivered } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { sleep } from "../support/wait";

const READER = { username: "reader", password: "reader-pw-31" };

describe("worker: an API account without the role to send", () => {
  let h: DeliveryHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("pauses the fleet with AXELNAC_ACCESS_DENIED until the role is granted, then delivers every job once", async () => {
    h = await DeliveryHarness.start({
      simulator: { accounts: [{ ...READER, adminActions: ["SYSTEM_READ"] }] },
    });
    const jobs = guestJobs(10, "access-denied");
    await h.enqueue(jobs);
    await h.fleet.start(1, {
      AXELNAC_USERNAME: READER.username,
      AXELNAC_PASSWORD: READER.password,
    });

    const pause = await h.waitForPause(15_000);
    expect(pause).toMatchObject({ code: "AXELNAC_ACCESS_DENIED" });
    await sleep(500);
    expect(h.sim.outbox()).toHaveLength(0);
    expect(h.sim.stats().forbidden).toBeGreaterThan(0);
    expect(await h.queue.getJobCounts("completed", "failed")).toEqual({ completed: 0, failed: 0 });
    const error = h.fleet.lines().find((line) => (line.level ?? 0) >= 50);
    expect(String(error?.msg)).toContain("lacking the SYSTEM_CREATE administrative role");

    h.sim.setAccount({ ...READER, adminActions: ["SYSTEM_READ", "SYSTEM_CREATE"] });
    await waitForAllDelivered(h.sim, h.queue, jobs, 20_000);
    expect(h.sim.outbox()).toHaveLength(jobs.length);
    expect((await h.queue.getJobCounts("failed")).failed).toBe(0);
  });
});
