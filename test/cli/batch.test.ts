import type { BatchStatus } from "../../src/batches/batch-status";
import { loadConfig } from "../../src/config/config";
import { failedAttempts } from "../../src/jobs/progress";
import { createLogger } from "../../src/logging/logger";
import { type ConnectedProducer, connectDeliveryProducer } from "../../src/wiring/producer";
import { type CliResult, runCli, stderrBeyondTarget } from "../support/cli";
import { runCommand } from "../support/command-in-process";
import { deliveryReport, expectCleanLogs, type GuestJob, guestJobs } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { dumpEverything } from "../support/redis-dump";
import { sleep, waitUntil } from "../support/wait";

/**
 * `batch pause | resume | cancel` against two worker processes delivering to a slow simulator:
 * each delivery takes ~300 ms, at most 4 at once (~13 a second), so a batch of 80 takes ~6 s.
 */
describe("axelnac-courier batch", () => {
  const logger = createLogger({ level: "silent" });
  let harness: DeliveryHarness;
  let producer: ConnectedProducer;
  const outputs: CliResult[] = [];

  /** In this process: what the commands do to the batch. */
  const cli = async (...args: string[]) => {
    const result = await runCommand(args, harness.workerEnv());
    outputs.push(result);
    return result;
  };

  /** As the binary, for what the process answers: its exit code (2 for each refusal kind). */
  const binary = async (...args: string[]) => {
    const result = await runCli(args, harness.workerEnv());
    outputs.push(result);
    return result;
  };

  const status = async (batch: string): Promise<BatchStatus> => {
    const result = await cli("status", "--batch", batch, "--json");
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as BatchStatus;
  };

  const enqueue = async (batch: string, jobs: GuestJob[], sendAt?: Date) => {
    const { rejected } = await producer.producer.enqueueMany(
      jobs.map((job) => ({ ...job, batch_id: batch })),
      sendAt ? { sendAt } : {},
    );
    expect(rejected).toEqual([]);
  };

  /** Waits until the outbox holds `n` SMS of these guests. */
  const sentAtLeast = (jobs: GuestJob[], n: number) =>
    waitUntil(() => deliveryReport(harness.sim, jobs).sent >= n, {
      timeoutMs: 20_000,
      what: `${n} SMS`,
    });

  beforeEach(async () => {
    harness = await DeliveryHarness.start({
      simulator: { latencyMs: 300 },
      settings: { WORKER_CONCURRENCY: "2", AXELNAC_MAX_IN_FLIGHT: "4", LOG_LEVEL: "info" },
    });
    producer = await connectDeliveryProducer(loadConfig(harness.workerEnv()), logger);
  });

  afterEach(async () => {
    await producer.close();
    expectCleanLogs(
      `${harness.fleet.output()}\n${outputs.map((o) => o.stdout + o.stderr).join("\n")}`,
      [harness.apiPassword],
    );
    await harness.close();
    outputs.length = 0;
  });

  it("pause stops a batch's deliveries within 2 s, spends no attempt and fails nothing; resume delivers the rest at once, each once, and leaves a scheduled job to its time", async () => {
    const jobs = guestJobs(80, "expo");
    const later = guestJobs(1, "later");
    const other = guestJobs(10, "walk-in");
    await enqueue("expo", jobs);
    await enqueue("expo", later, new Date(Date.now() + 120_000));
    await harness.fleet.start(2);
    await sentAtLeast(jobs, 10);

    const paused = await cli("batch", "pause", "expo");
    expect({ code: paused.code, stderr: stderrBeyondTarget(paused.stderr) }).toEqual({
      code: 0,
      stderr: "",
    });
    const sentWhenPaused = deliveryReport(harness.sim, jobs).sent;
    expect(paused.stdout).toMatch(
      /^batch expo: paused, \d+ deliveries held back, \d+ in flight will finish\n$/,
    );
    await sleep(2_000);
    const sentWhenStopped = deliveryReport(harness.sim, jobs).sent;
    // Another batch still goes through meanwhile.
    await enqueue("walk-in", other);
    await waitUntil(() => deliveryReport(harness.sim, other).delivered === other.length, {
      timeoutMs: 10_000,
      what: "the other batch delivered",
    });
    expect(deliveryReport(harness.sim, jobs).sent).toBe(sentWhenStopped);
    // At most those in flight and about a second of the workers' cached states got through.
    expect(sentWhenStopped - sentWhenPaused).toBeLessThanOrEqual(20);
    expect(sentWhenStopped).toBeLessThan(jobs.length);

    const whilePaused = await status("expo");
    expect(whilePaused).toMatchObject({ paused: true, failed: 0, cancelled: 0, active: 0 });
    expect((await cli("status", "--batch", "expo")).stdout).toMatch(/\(paused\)/);
    // Held jobs spent no attempt, by the courier's count or BullMQ's.
    const pending = await harness.queue.getJobs(["delayed", "wait", "prioritized"]);
    expect(pending.length).toBe(jobs.length + later.length - sentWhenStopped);
    for (const job of pending) {
      expect({ id: job.id, attempts: failedAttempts(job), made: job.attemptsMade }).toEqual({
        id: job.id,
        attempts: 0,
        made: 0,
      });
    }

    const resumedAt = Date.now();
    const resumed = await cli("batch", "resume", "expo");
    expect({ code: resumed.code, stderr: stderrBeyondTarget(resumed.stderr) }).toEqual({
      code: 0,
      stderr: "",
    });
    expect(resumed.stdout).toMatch(/^batch expo: resumed, \d+ deliveries held back sent again\n$/);
    // Promptly: well before a held job's own hold (10 s) ends.
    await waitUntil(() => deliveryReport(harness.sim, jobs).sent > sentWhenStopped, {
      timeoutMs: 3_000,
      what: "deliveries again after resume",
    });
    expect(Date.now() - resumedAt).toBeLessThan(3_000);
    await waitUntil(() => deliveryReport(harness.sim, jobs).delivered === jobs.length, {
      timeoutMs: 30_000,
      what: "every guest delivered",
    });
    const report = deliveryReport(harness.sim, jobs);
    expect({ missing: report.missing, duplicated: report.duplicated }).toEqual({
      missing: [],
      duplicated: [],
    });
    await waitUntil(async () => (await status("expo")).delivered === jobs.length, {
      timeoutMs: 5_000,
      what: "delivered counted",
    });
    expect(await status("expo")).toMatchObject({
      total: 81,
      delivered: 80,
      failed: 0,
      cancelled: 0,
      delayed: 1,
      paused: false,
    });
    expect(deliveryReport(harness.sim, later).sent).toBe(0);
  }, 90_000);

  it("cancel removes the batch's pending jobs and their passwords, counts them cancelled, and lets those in flight finish", async () => {
    const jobs = guestJobs(80, "expo");
    const scheduled = guestJobs(3, "later");
    await enqueue("expo", jobs);
    await enqueue("expo", scheduled, new Date(Date.now() + 120_000));
    await harness.fleet.start(2);
    await sentAtLeast(jobs, 10);

    const cancelled = await cli("batch", "cancel", "expo");
    expect({ code: cancelled.code, stderr: stderrBeyondTarget(cancelled.stderr) }).toEqual({
      code: 0,
      stderr: "",
    });
    const said = /^batch expo: (\d+) deliveries cancelled, (\d+) in flight will finish\n$/.exec(
      cancelled.stdout,
    );
    expect(said).not.toBeNull();
    const removed = Number(said?.[1]);
    expect(removed).toBeGreaterThan(0);

    await waitUntil(
      async () => {
        const s = await status("expo");
        return s.active + s.waiting + s.delayed === 0;
      },
      { timeoutMs: 10_000, what: "the batch settled" },
    );
    await sleep(1_500); // the workers' counters are written once a second
    const after = await status("expo");
    const sent = deliveryReport(harness.sim, [...jobs, ...scheduled]);
    expect(after).toMatchObject({ total: 83, failed: 0, paused: false });
    // The command counts what it removed; a job a worker took meanwhile, once that worker has
    // seen the mark, is dropped and counted cancelled by the worker: never fewer than removed.
    expect(after.cancelled).toBeGreaterThanOrEqual(removed);
    expect(after.delivered).toBe(sent.sent);
    expect(after.delivered).toBeGreaterThanOrEqual(10); // those sent before the cancel
    expect(after.delivered + after.cancelled).toBe(83);
    expect(sent.duplicated).toEqual([]);
    expect((await cli("status", "--batch", "expo")).stdout).toMatch(/cancelled \d+/);

    // No job of the batch is left, and no password of the batch anywhere in Redis.
    const everything = await dumpEverything(harness.redis);
    for (const job of [...jobs, ...scheduled]) expect(everything).not.toContain(job.password);
  }, 90_000);

  it("a job of a cancelled batch a worker takes later is dropped and counted cancelled, not delivered", async () => {
    await enqueue("expo", guestJobs(2, "expo"));
    await harness.fleet.start(1);
    await waitUntil(async () => (await status("expo")).delivered === 2, { timeoutMs: 10_000 });
    expect((await cli("batch", "cancel", "expo")).stdout).toBe(
      "batch expo: 0 deliveries cancelled, 0 in flight will finish\n",
    );
    await sleep(1_200); // past the workers' cache of the batches' states
    // A plain producer tags the batch through its data alone.
    const late = guestJobs(3, "late");
    await harness.enqueue(late.map((job) => ({ ...job, batch_id: "expo" })));
    await waitUntil(async () => (await status("expo")).cancelled === 3, {
      timeoutMs: 10_000,
      what: "3 late jobs counted cancelled",
    });
    expect(deliveryReport(harness.sim, late).sent).toBe(0);
    const everything = await dumpEverything(harness.redis);
    for (const job of late) expect(everything).not.toContain(job.password);
  }, 60_000);

  it("an unknown batch exits 2 naming it; pause, resume or failed retry of a cancelled batch exits 2", async () => {
    const unknown = await binary("batch", "pause", "nosuch");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no batch "nosuch"');
    await enqueue("expo", guestJobs(1, "expo"));
    expect((await cli("batch", "cancel", "expo")).code).toBe(0);
    const pause = await cli("batch", "pause", "expo");
    expect({ code: pause.code, stderr: stderrBeyondTarget(pause.stderr) }).toEqual({
      code: 2,
      stderr: 'batch: batch "expo" was cancelled: it can be neither paused nor resumed\n',
    });
    expect((await cli("batch", "resume", "expo")).code).toBe(2);
    const retry = await binary("failed", "retry", "--batch", "expo");
    expect({ code: retry.code, stderr: stderrBeyondTarget(retry.stderr) }).toEqual({
      code: 2,
      stderr:
        'failed: batch "expo" was cancelled (batch cancel): its deliveries would be dropped, not sent; nothing retried\n',
    });
    const usage = await binary("batch", "stop", "expo");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown action "stop"');
  }, 30_000);
});
