import type { DeliveryRecord } from "../../src/history/delivery-record";
import { historyKeys } from "../../src/history/history-keys";
import { readDeliveryRecord, readRecordsOfBatch } from "../../src/history/history-reader";
import { runCli } from "../support/cli";
import { guestPassword } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { waitUntil } from "../support/wait";

/** A plain producer's job of a batch, with a reference: what upstream systems write. */
const job = (pid: string, batch: string, reference: string) => ({
  pid,
  password: guestPassword(),
  source_id: "sms",
  batch_id: batch,
  reference,
});

const RETENTION_MS = 3_600_000;

describe("worker: the delivery history", () => {
  let h: DeliveryHarness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("records deliveries, failures and a cancelled batch's dropped jobs, never a password, within the retention", async () => {
    h = await DeliveryHarness.start({
      simulator: {
        guests: new Map(
          ["guest-1", "guest-2", "guest-3", "late-1", "late-2"].map((p) => [p, "+79990000001"]),
        ),
      },
      settings: { DELIVERY_ATTEMPTS: "2", HISTORY_RETENTION: "1h" },
    });
    const { queue, redis, sim } = h;
    const keys = historyKeys(h.keyPrefix, h.queueName);
    const recordsOf = (batch: string) => readRecordsOfBatch(redis, keys, batch, 100);
    const waitForRecords = (batch: string, count: number) =>
      waitUntil(async () => (await recordsOf(batch)).length === count, {
        timeoutMs: 30_000,
        what: `${count} records of batch ${batch}`,
        describe: async () => ({
          records: await recordsOf(batch),
          counts: await queue.getJobCounts(),
        }),
      });
    await h.fleet.start(1);

    // Delivered, and refused by the appliance (404: no such guest), in batch expo.
    const expo = [
      job("guest-1", "expo", "REG-1"),
      job("guest-2", "expo", "REG-2"),
      job("ghost-1", "expo", "REG-3"),
    ];
    const added = await queue.addBulk(expo.map((data) => ({ name: "deliver", data })));
    await waitForRecords("expo", 3);
    const byPid = new Map((await recordsOf("expo")).map((r) => [r.pid, r]));
    const delivered = byPid.get("guest-1") as DeliveryRecord;
    expect(delivered).toMatchObject({
      jobId: added[0]?.id,
      batchId: "expo",
      reference: "REG-1",
      outcome: "delivered",
      attempts: 1,
      applianceStatus: 200,
    });
    expect(delivered.applianceMessage).toMatch(/guest-1/);
    expect(delivered).not.toHaveProperty("code");
    expect(Date.parse(delivered.finishedAt)).toBeGreaterThanOrEqual(
      Date.parse(delivered.enqueuedAt),
    );
    expect(byPid.get("ghost-1")).toMatchObject({
      outcome: "failed",
      code: "AXELNAC_GUEST_NOT_FOUND",
      attempts: 1,
      applianceStatus: 404,
      reference: "REG-3",
    });
    expect(byPid.get("ghost-1")?.message).toMatch(/rejected: 404/);
    expect(await readDeliveryRecord(redis, keys, added[2]?.id as string)).toEqual(
      byPid.get("ghost-1"),
    );

    // The SMS provider fails every time: given up after DELIVERY_ATTEMPTS, with the last 500.
    sim.setFaults({ failRate: 1 });
    await queue.add("deliver", job("guest-3", "flaky", "REG-4"));
    await waitForRecords("flaky", 1);
    sim.setFaults({ failRate: 0 });
    expect((await recordsOf("flaky"))[0]).toMatchObject({
      outcome: "failed",
      code: "AXELNAC_SMS_PROVIDER_FAILED",
      attempts: 2,
      applianceStatus: 500,
    });
    expect((await recordsOf("flaky"))[0]?.message).toMatch(/gave up after 2 attempts/);

    // A cancelled batch: the jobs a worker takes afterwards are dropped, and recorded so.
    expect((await runCli(["batch", "cancel", "expo"], h.workerEnv())).code).toBe(0);
    await queue.addBulk(
      [job("late-1", "expo", "REG-5"), job("late-2", "expo", "REG-6")].map((data) => ({
        name: "deliver",
        data,
      })),
    );
    await waitForRecords("expo", 5);
    const late = (await recordsOf("expo")).filter((r) => r.pid.startsWith("late-"));
    expect(late.map((r) => [r.pid, r.outcome, r.attempts]).sort()).toEqual([
      ["late-1", "cancelled", 0],
      ["late-2", "cancelled", 0],
    ]);
    expect(
      sim
        .outbox()
        .map((sms) => sms.pid)
        .sort(),
    ).toEqual(["guest-1", "guest-2"]);

    // What Redis holds of the history: every key within the retention, no password.
    const history = await redis.keys(`${h.keyPrefix}:${h.queueName}:history*`);
    expect(history.length).toBeGreaterThanOrEqual(3);
    for (const key of history) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(RETENTION_MS);
    }
    const historyDump = await dumpKeys(h, history);
    expect(historyDump).toContain("ghost-1");
    for (const { password } of expo) expect(historyDump).not.toContain(password);
    // The failed job itself still holds its password (FAILED_JOB_RETENTION): the dump finds one.
    const failedJob = await dumpKeys(h, [queue.toKey(added[2]?.id as string)]);
    expect(failedJob).toContain((expo[2] as { password: string }).password);
  });

  it("keeps nothing with HISTORY_RETENTION=off", async () => {
    h = await DeliveryHarness.start({ settings: { HISTORY_RETENTION: "off" } });
    const { queue, redis } = h;
    await h.fleet.start(1);
    await queue.add("deliver", job("guest-1", "quiet", "REG-1"));
    // The batch counters are written with the same flush the history would be.
    await waitUntil(
      async () =>
        (await redis.sismember(
          `${h?.keyPrefix}:${h?.queueName}:batch:quiet:deliveries:delivered`,
          "guest-1",
        )) === 1,
      { timeoutMs: 20_000, what: "guest-1 counted delivered" },
    );
    expect(await redis.keys(`${h.keyPrefix}:${h.queueName}:history*`)).toEqual([]);
  });
});

/** The values of these keys, as text (the suite's Redis is shared: other tests' keys are not ours). */
async function dumpKeys(h: DeliveryHarness, keys: string[]): Promise<string> {
  const parts: string[] = [];
  for (const key of keys) {
    const type = await h.redis.type(key);
    if (type === "hash") parts.push(JSON.stringify(await h.redis.hgetall(key)));
    else if (type === "zset") parts.push(...(await h.redis.zrange(key, 0, -1)));
  }
  return parts.join("\n");
}
