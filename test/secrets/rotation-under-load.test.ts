import { sealJobPassword } from "../../src/jobs/job-password";
import type { KeyStatus } from "../../src/key-rotation/key-status";
import type { KeyRotation } from "../../src/key-rotation/rotate-keys";
import { KeyRing } from "../../src/secrets";
import { runCli, stderrBeyondTarget } from "../support/cli";
import { deliveryReport, guestJobs, waitForAllDelivered } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { waitUntil } from "../support/wait";

const OLD = `old:${Buffer.alloc(32, 51).toString("base64")}`;
const NEW = `new:${Buffer.alloc(32, 52).toString("base64")}`;

describe("keys rotate while three workers deliver 2,000 jobs", () => {
  let h: DeliveryHarness | undefined;

  afterEach(async () => {
    await h?.close();
  });

  it("loses none, sends none twice, and every SMS carries its guest's password", async () => {
    // Retries wait long enough that some jobs rest in the delayed set while the rotation runs.
    h = await DeliveryHarness.start({
      simulator: { latencyMs: 15 },
      settings: { DELIVERY_BACKOFF: "1s", DELIVERY_BACKOFF_MAX: "2s" },
    });
    const harness = h;
    const jobs = guestJobs(2_000, "rotation");
    const oldRing = KeyRing.parse(OLD);
    await h.enqueue(jobs.map((job) => sealJobPassword(job, oldRing)));
    // Before the rotation, a worker that knows only the old key: it stores the token under it.
    const [before] = await h.fleet.start(1, { JOB_ENCRYPTION_KEYS: OLD });
    await waitUntil(() => harness.sim.outbox().length >= 100, { what: "100 deliveries" });
    expect(await before?.stop()).toBe(0);
    // Step 2 of the README's procedure: every worker holds the new key first, the old one second.
    // Some sends fail (500, nothing sent): their jobs rest in the delayed set, under the old key.
    h.sim.setFaults({ failRate: 0.05 });
    await h.fleet.start(3, { JOB_ENCRYPTION_KEYS: `${NEW},${OLD}` });
    await waitUntil(() => harness.sim.outbox().length >= 500, { what: "500 deliveries" });

    const env = h.workerEnv({ JOB_ENCRYPTION_KEYS: `${NEW},${OLD}`, LOG_LEVEL: "warn" });
    const rotate = await runCli(["keys", "rotate", "--json"], env);
    expect({ ...rotate, stderr: stderrBeyondTarget(rotate.stderr) }).toMatchObject({
      code: 0,
      stderr: "",
    });
    const rotation = JSON.parse(rotate.stdout) as KeyRotation;
    const status = JSON.parse(
      (await runCli(["keys", "status", "--json"], env)).stdout,
    ) as KeyStatus;
    const deliveredWhenRotated = h.sim.outbox().length;

    h.sim.setFaults({ failRate: 0 });
    await waitForAllDelivered(h.sim, h.queue, jobs, 60_000);
    const report = deliveryReport(h.sim, jobs);
    console.log(
      `rotation under load: ${JSON.stringify({
        deliveredWhenRotated,
        resealed: rotation.jobs.resealed,
        changedMeanwhile: rotation.jobs.changedMeanwhile,
        passes: rotation.jobs.passes,
        token: rotation.token,
        leftUnderOld: status.jobs.old ?? null,
        responses500: h.sim.stats().responses["500"] ?? 0,
        duplicates: report.duplicates,
      })}`,
    );
    expect(report).toMatchObject({ missing: [], duplicates: 0, wrongPassword: [] });
    expect(await h.queue.getFailedCount()).toBe(0);
    const resealed = Object.values(rotation.jobs.resealed).reduce((a, b) => a + b, 0);
    expect(resealed).toBeGreaterThan(0);
    expect(rotation.jobs.resealedFrom).toEqual({ old: resealed });
    expect(rotation.token.resealed).toBe(1);
    // Left under the old key: at most the jobs that were in flight at the last pass (8 at once).
    expect(status.jobs.old?.total ?? 0).toBeLessThanOrEqual(8);
    expect(status.tokens).toEqual({ new: 1 });

    // Once they are done, nothing is left under the old key: it can be dropped.
    const final = JSON.parse((await runCli(["keys", "status", "--json"], env)).stdout) as KeyStatus;
    expect(final.jobs.old).toBeUndefined();
  });
});
