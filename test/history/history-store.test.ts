import type { DeliveryRecord } from "../../src/history/delivery-record";
import { bucketUntil, historyKeys } from "../../src/history/history-keys";
import {
  readDeliveryRecord,
  readRecordsOfBatch,
  readRecordsOfPid,
  readRecordsOfReference,
  recordPages,
} from "../../src/history/history-reader";
import { HistoryWriter } from "../../src/history/history-writer";
import { createLogger } from "../../src/logging/logger";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";
import { waitUntil } from "../support/wait";

const DAY = 86_400_000;
const RETENTION = 90 * DAY;

/** A record that finished `agoMs` before now. */
function record(jobId: string, fields: Partial<DeliveryRecord> = {}, agoMs = 0): DeliveryRecord {
  const finished = Date.now() - agoMs;
  return {
    jobId,
    pid: "guest-1",
    outcome: "delivered",
    attempts: 1,
    enqueuedAt: new Date(finished - 500).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    applianceStatus: 200,
    applianceMessage: "Credentials sent",
    ...fields,
  };
}

describe("the delivery history in Redis", () => {
  const redis = testRedis();
  const logger = createLogger({ level: "silent" });
  let prefix: string;
  let keys: ReturnType<typeof historyKeys>;
  const writers: HistoryWriter[] = [];

  const writer = (retentionMs = RETENTION) => {
    const w = new HistoryWriter(redis, keys, retentionMs, logger, 60_000);
    writers.push(w);
    return w;
  };

  const write = async (records: DeliveryRecord[], retentionMs = RETENTION) => {
    const w = writer(retentionMs);
    for (const r of records) w.add(r);
    await w.close();
  };

  beforeEach(() => {
    prefix = uniquePrefix("history");
    keys = historyKeys(prefix, "q");
  });

  afterEach(async () => {
    for (const w of writers.splice(0)) await w.close();
    await deleteKeys(redis, `${prefix}:`);
  });

  afterAll(() => redis.disconnect());

  it("finds a record by its job id, exactly as written", async () => {
    const written = record("expo~1", {
      batchId: "expo",
      reference: "REG-1",
      submittedBy: "key-1",
    });
    await write([written, record("other")]);
    expect(await readDeliveryRecord(redis, keys, "expo~1")).toEqual(written);
    expect(await readDeliveryRecord(redis, keys, "expo~2")).toBeUndefined();
  });

  it("finds nothing in a queue that has no history", async () => {
    expect(await readDeliveryRecord(redis, keys, "any")).toBeUndefined();
    expect(await readRecordsOfPid(redis, keys, "guest-1", 10)).toEqual([]);
  });

  it("finds records by pid, reference and batch, newest first, and no other's", async () => {
    await write([
      record("a", { pid: "guest-1", reference: "REG-1", batchId: "expo" }, 3 * DAY),
      record("b", { pid: "guest-1", reference: "REG-9", batchId: "fair" }, DAY),
      record("c", { pid: "guest-2", reference: "REG-1", batchId: "expo" }, 2 * DAY),
      record("d", { pid: "guest-10", reference: "REG-10", batchId: "expo-2" }),
    ]);
    const ids = (records: DeliveryRecord[]) => records.map((r) => r.jobId);
    expect(ids(await readRecordsOfPid(redis, keys, "guest-1", 10))).toEqual(["b", "a"]);
    expect(ids(await readRecordsOfReference(redis, keys, "REG-1", 10))).toEqual(["c", "a"]);
    expect(ids(await readRecordsOfBatch(redis, keys, "expo", 10))).toEqual(["c", "a"]);
    expect(ids(await readRecordsOfBatch(redis, keys, "expo-2", 10))).toEqual(["d"]);
  });

  it("gives the newest `limit` records, across buckets and within one", async () => {
    const records = Array.from({ length: 30 }, (_, i) =>
      record(`expo~${String(i).padStart(2, "0")}`, { batchId: "expo" }, i * 3_600_000),
    );
    await write(records);
    const newest = await readRecordsOfBatch(redis, keys, "expo", 5);
    expect(newest.map((r) => r.jobId)).toEqual([
      "expo~00",
      "expo~01",
      "expo~02",
      "expo~03",
      "expo~04",
    ]);
  });

  it("reads a batch larger than a page whole", async () => {
    const records = Array.from({ length: 2_500 }, (_, i) =>
      record(`big~${i}`, { pid: `guest-${i}`, batchId: "big" }),
    );
    await write(records);
    let read = 0;
    for await (const page of recordPages(redis, keys, { field: "batch", value: "big" })) {
      read += page.records.length;
    }
    expect(read).toBe(2_500);
    expect(await readRecordsOfBatch(redis, keys, "big", 3_000)).toHaveLength(2_500);
  });

  it("keeps a job's latest outcome when it finished twice (failed, retried, delivered)", async () => {
    await write([
      record(
        "expo~1",
        { outcome: "failed", code: "AXELNAC_GUEST_NOT_FOUND", batchId: "expo" },
        5 * DAY,
      ),
    ]);
    await write([record("expo~1", { batchId: "expo", attempts: 2 })]);
    expect(await readDeliveryRecord(redis, keys, "expo~1")).toMatchObject({
      outcome: "delivered",
      attempts: 2,
    });
    const ofPid = await readRecordsOfPid(redis, keys, "guest-1", 10);
    expect(ofPid.map((r) => [r.jobId, r.outcome])).toEqual([["expo~1", "delivered"]]);
  });

  it("gives every key a time to live within the retention, and the records' index expires with them", async () => {
    const retentionMs = 60_000;
    await write([record("a", { reference: "R", batchId: "b" })], retentionMs);
    const names = await redis.keys(`${prefix}:*`);
    expect(names.sort()).toEqual(
      [
        keys.buckets,
        keys.records(bucketUntil(Date.now(), retentionMs)),
        keys.index(bucketUntil(Date.now(), retentionMs)),
      ].sort(),
    );
    for (const name of names) {
      const ttl = await redis.pttl(name);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(retentionMs);
    }
    const [records, index] = names.filter((name) => name !== keys.buckets);
    expect(await redis.pexpiretime(records as string)).toBe(
      await redis.pexpiretime(index as string),
    );
  });

  it("forgets records once the retention has passed, and trims the list of buckets on the next write", async () => {
    const retentionMs = 2_000;
    await write([record("old", { batchId: "expo" })], retentionMs);
    expect(await readDeliveryRecord(redis, keys, "old")).toBeDefined();
    await waitUntil(async () => (await readDeliveryRecord(redis, keys, "old")) === undefined, {
      timeoutMs: 10_000,
      what: "the old record to expire",
    });
    const oldBuckets = await redis.zrange(keys.buckets, 0, -1);
    await write([record("new", { batchId: "expo" })], retentionMs);
    const buckets = await redis.zrange(keys.buckets, 0, -1);
    expect(buckets).toHaveLength(1);
    expect(oldBuckets.filter((until) => buckets.includes(until))).toEqual([]);
    expect((await readRecordsOfBatch(redis, keys, "expo", 10)).map((r) => r.jobId)).toEqual([
      "new",
    ]);
    expect(await redis.keys(`${prefix}:*`)).toHaveLength(3);
  });

  it("does not write a record whose retention is already over", async () => {
    await write([record("ancient", {}, 2 * RETENTION)]);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  it("keeps what Redis refused and writes it with a later flush", async () => {
    const w = writer();
    const written = record("kept", { batchId: "expo" });
    const until = bucketUntil(Date.parse(written.finishedAt), RETENTION);
    // A key of the wrong type: Redis refuses the HSET with WRONGTYPE.
    await redis.set(keys.records(until), "in the way");
    w.add(written);
    await w.flush();
    expect(await redis.get(keys.records(until))).toBe("in the way");
    await redis.del(keys.records(until));
    await w.flush();
    expect(await readDeliveryRecord(redis, keys, "kept")).toEqual(written);
  });

  it("skips a stored record it cannot read rather than failing the whole answer", async () => {
    await write([record("good", { batchId: "expo" }), record("bad", { batchId: "expo" })]);
    const [until] = await redis.zrange(keys.buckets, 0, -1);
    await redis.hset(keys.records(Number(until)), "bad", "{not json");
    expect((await readRecordsOfBatch(redis, keys, "expo", 10)).map((r) => r.jobId)).toEqual([
      "good",
    ]);
    expect(await readDeliveryRecord(redis, keys, "bad")).toBeUndefined();
  });
});
