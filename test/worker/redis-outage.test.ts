import {
  deliveryReport,
  expectCleanLogs,
  guestJobs,
  waitForAllDelivered,
} from "../support/deliveries";
import { closedAfterEach } from "../support/delivery-harness";
import { sleep, waitUntil } from "../support/wait";
import type { WorkerProcess } from "../support/worker-fleet";

const UNREACHABLE = /^Redis unreachable/;
const REACHABLE_AGAIN = "Redis reachable again";

function linesMatching(worker: WorkerProcess, matches: (msg: string) => boolean): number {
  return worker.lines().filter((l) => matches(String(l.msg))).length;
}

describe("worker: Redis goes away", () => {
  const started = closedAfterEach();

  it("restarted mid-batch with AOF on: workers reconnect and every job is delivered", async () => {
    const redis = await started.privateRedis({ appendOnly: true });
    const h = await started.harness({ privateRedisUrl: redis.url, simulator: { latencyMs: 20 } });
    const { sim, queue } = h;
    // The lock must outlast the outage plus the reconnection back-off (about 3 s here), or the
    // jobs in flight are handed out again and sent twice. A job whose fetch the restart cut off
    // stays active, unowned, until the stalled check hands it out: within 2 × the lock duration.
    const workers = await h.fleet.start(2, { WORKER_LOCK_DURATION: "10s" });
    const jobs = guestJobs(600, "redis-restart");
    await h.enqueue(jobs);
    await waitUntil(() => sim.outbox().length >= jobs.length / 3, { what: "a third delivered" });

    await redis.stop();
    const stoppedAt = Date.now();
    const sentWhenStopped = sim.outbox().length;
    try {
      await sleep(1_500);
    } finally {
      await redis.start();
    }
    const downMs = Date.now() - stoppedAt;
    await waitForAllDelivered(sim, queue, jobs, 45_000);
    const deliveredAt = Date.now();
    await sleep(300); // a late duplicate would land now

    const report = deliveryReport(sim, jobs);
    console.log(
      `Redis restart: ${JSON.stringify({
        jobs: jobs.length,
        sentWhenStopped,
        redisDownMs: downMs,
        allDeliveredAfterRestartMs: deliveredAt - stoppedAt - downMs,
        duplicates: report.duplicates,
        duplicated: report.duplicated,
      })}`,
    );
    expect(report.missing).toEqual([]);
    expect(report.wrongPassword).toEqual([]);
    expect(report.duplicates).toBeLessThanOrEqual(8); // at most the jobs in flight fleet-wide
    expect((await queue.getJobCounts("failed")).failed).toBe(0);
    for (const worker of workers) {
      // One line when it went, one when it came back: not one per reconnection attempt.
      expect(linesMatching(worker, (m) => UNREACHABLE.test(m))).toBe(1);
      expect(linesMatching(worker, (m) => m === REACHABLE_AGAIN)).toBe(1);
    }
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  }, 75_000);

  it("unreachable when the worker starts: it waits, says so once, and delivers once Redis is there", async () => {
    const redis = await started.privateRedis();
    await redis.stop();
    const h = await started.harness({ privateRedisUrl: redis.url });
    const { sim, queue } = h;
    const [worker] = h.fleet.spawn(1);
    try {
      await worker?.waitForLog((l) => UNREACHABLE.test(String(l.msg)));
      await sleep(2_000);
    } finally {
      await redis.start();
    }
    await worker?.ready();

    const jobs = guestJobs(20, "redis-late");
    await h.enqueue(jobs);
    await waitForAllDelivered(sim, queue, jobs, 20_000);
    expect(deliveryReport(sim, jobs)).toMatchObject({ sent: 20, duplicates: 0 });
    expect(linesMatching(worker as WorkerProcess, (m) => UNREACHABLE.test(m))).toBe(1);
    expect(linesMatching(worker as WorkerProcess, (m) => m === REACHABLE_AGAIN)).toBe(1);
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  }, 45_000);
});
