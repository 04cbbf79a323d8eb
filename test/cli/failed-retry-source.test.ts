import { stderrBeyondTarget } from "../support/cli";
import { deliveryReport, guestJobs } from "../support/deliveries";
import { failedBatchBench } from "../support/failed-batch-bench";
import { dumpEverything } from "../support/redis-dump";
import { waitUntil } from "../support/wait";

/** A batch sent with a wrong SMS source, recovered by `failed retry --source-id`. */
describe("axelnac-courier failed retry --source-id", () => {
  const bench = failedBatchBench();
  const { cli, failedOf } = bench;

  it("a batch whose every row failed with 422 for its source is delivered, each once and with its own password, once retried with the right source; passwords stay sealed", async () => {
    const jobs = guestJobs(6, "expo").map((job) => ({ ...job, source_id: "smss" }));
    const { rejected } = await bench.producer.producer.enqueueMany(
      jobs.map((job) => ({ ...job, batch_id: "expo" })),
    );
    expect(rejected).toEqual([]);
    await bench.harness.fleet.start(1);
    await waitUntil(async () => (await failedOf("expo")).length === jobs.length, {
      timeoutMs: 20_000,
      what: "every job failed",
    });
    for (const view of await failedOf("expo")) expect(view.reason).toMatch(/422|source/i);
    expect(deliveryReport(bench.harness.sim, jobs).sent).toBe(0);

    const retried = await cli("failed", "retry", "--batch", "expo", "--source-id", "sms");
    expect({ code: retried.code, stderr: stderrBeyondTarget(retried.stderr) }).toEqual({
      code: 0,
      stderr: "",
    });
    expect(retried.stdout).toBe("retried 6 failed deliveries\n");
    await waitUntil(() => deliveryReport(bench.harness.sim, jobs).delivered === jobs.length, {
      timeoutMs: 20_000,
      what: "every guest delivered",
    });
    const report = deliveryReport(bench.harness.sim, jobs);
    expect(report).toMatchObject({ duplicated: [], missing: [], wrongPassword: [] });
    const sources = bench.harness.sim
      .outbox()
      .filter((sms) => sms.pid.startsWith("expo-"))
      .map((sms) => sms.sourceId);
    expect(new Set(sources)).toEqual(new Set(["sms"]));
    expect(await failedOf("expo")).toEqual([]);
    const everything = await dumpEverything(bench.harness.redis);
    for (const job of jobs) expect(everything).not.toContain(job.password);
  }, 60_000);

  it("refuses a bad --source-id, and --source-id without retry, with exit 2", async () => {
    const blank = await cli("failed", "retry", "--all", "--source-id", "");
    expect(blank.code).toBe(2);
    expect(blank.stderr).toContain("--source-id must not be empty");
    const onPurge = await cli("failed", "purge", "--all", "--source-id", "sms");
    expect(onPurge.code).toBe(2);
    expect(onPurge.stderr).toContain("--source-id goes with retry only");
  });
});
