import { guestJobs, waitForAllDelivered } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { WORKER_ENTRY, WorkerProcess } from "../support/worker-fleet";

describe("workers/delivery-worker: the worker as a process of its own", () => {
  let h: DeliveryHarness | undefined;
  let worker: WorkerProcess | undefined;

  afterEach(async () => {
    await worker?.kill();
    worker = undefined;
    await h?.close();
    h = undefined;
  });

  it("delivers like the CLI's worker command and exits 0 on SIGTERM", async () => {
    h = await DeliveryHarness.start();
    worker = new WorkerProcess("entry", h.workerEnv(), WORKER_ENTRY);
    await worker.ready();
    const jobs = guestJobs(3, "entry");
    await h.enqueue(jobs);
    await waitForAllDelivered(h.sim, h.queue, jobs, 15_000);

    expect(await worker.stop("SIGTERM")).toBe(0);
    expect(worker.lines().at(-1)?.msg).toBe("delivery worker stopped");
  }, 30_000);

  it("exits 2 naming the setting when the configuration is invalid", async () => {
    h = await DeliveryHarness.start();
    worker = new WorkerProcess(
      "entry",
      { ...h.workerEnv(), WORKER_CONCURRENCY: "many" },
      WORKER_ENTRY,
    );
    const { code } = await worker.exited;
    expect(code).toBe(2);
    expect(worker.stderr()).toContain("WORKER_CONCURRENCY");
    expect(worker.stderr()).not.toMatch(/\n\s+at /); // a sentence, not a stack trace
  }, 30_000);
});
