import { randomUUID } from "node:crypto";
import { PRIORITY_LIMIT, Queue } from "bullmq";
import { duplicateKey } from "../../src/jobs/duplicate-key";
import { DELIVERY_JOB_NAME } from "../../src/jobs/job-schema";
import { DeliveryProducer, InvalidEnqueueOptionError, InvalidJobError } from "../../src/producer";
import { captureLog, expectNoSecrets } from "../support/log-sink";
import { deleteKeys, testRedis } from "../support/redis";

const SECRET = "producer-test-duplicate-key-secret";
const WINDOW_MS = 24 * 3_600_000;
const redis = testRedis();
const queues: Queue[] = [];

/** A queue of the test's own, removed with its keys after the file. */
function freshQueue(): Queue {
  const queue = new Queue(`test-${randomUUID()}`, { connection: redis });
  queues.push(queue);
  return queue;
}

function producerFor(queue: Queue, logger = captureLog().logger): DeliveryProducer {
  return new DeliveryProducer({
    queue,
    duplicateWindowMs: WINDOW_MS,
    duplicateKeySecret: SECRET,
    logger,
  });
}

/**
 * The transactions (MULTI … EXEC) sent on the test's connection from now on, each as the number
 * of commands in it.
 */
function countTransactions(): () => number[] {
  const sizes: number[] = [];
  const multi = redis.multi.bind(redis);
  const spy = jest.spyOn(redis, "multi").mockImplementation(((
    ...args: Parameters<typeof multi>
  ) => {
    const transaction = multi(...args);
    const exec = transaction.exec.bind(transaction);
    transaction.exec = (...execArgs: Parameters<typeof exec>) => {
      sizes.push(transaction.length - 1); // the MULTI itself is one of them
      return exec(...execArgs);
    };
    return transaction;
  }) as typeof redis.multi);
  return () => {
    spy.mockRestore();
    return sizes;
  };
}

const queueKeys = (queue: Queue) => redis.keys(`bull:${queue.name}:*`);

afterAll(async () => {
  for (const queue of queues) {
    await deleteKeys(redis, `bull:${queue.name}:`);
    await queue.close();
  }
  redis.disconnect();
});

describe("DeliveryProducer.enqueue", () => {
  it("writes one waiting job with the contract's data and the producer's options", async () => {
    const queue = freshQueue();
    const data = {
      pid: "jdoe@example.org",
      password: "Tr0ub4dor&3",
      source_id: "sms-gw-1",
      batch_id: "fair-2025",
      reference: "crm-42",
    };
    // Fields outside the contract are not written: the job holds what the worker reads, no more.
    const result = await producerFor(queue).enqueue({ ...data, crm_internal: "x" });

    // The batch id leads the job id, so `status` counts a batch's jobs from their ids alone.
    expect(result).toEqual({
      jobId: expect.stringMatching(/^fair-2025~[0-9a-f-]{36}$/),
      duplicate: false,
    });
    const job = await queue.getJob(result.jobId);
    expect(await job?.getState()).toBe("waiting");
    expect(job?.name).toBe(DELIVERY_JOB_NAME);
    expect(job?.data).toEqual(data);
    expect(job?.opts).toEqual({
      jobId: result.jobId,
      attempts: 0, // BullMQ's default: the worker owns retries
      removeOnComplete: true,
      removeOnFail: { age: 30 * 86_400 },
      deduplication: { id: duplicateKey(SECRET, data), ttl: WINDOW_MS },
    });
    expect(job?.priority).toBe(0);
    expect(job?.delay).toBe(0);
  });

  it.each([
    ["a missing pid", { password: "pw-1", source_id: "s" }, /^invalid job: pid: is required$/],
    [
      "a pid with a space",
      { pid: "j doe", password: "pw-1", source_id: "s" },
      /pid: AxelNAC accepts only ASCII/,
    ],
    [
      "a password that is not a string",
      { pid: "jdoe", password: 93718264, source_id: "s" },
      /password: must be a string/,
    ],
    [
      "a password with a trailing space",
      { pid: "jdoe", password: "pw-1 ", source_id: "s" },
      /^invalid job: password: must not start or end with a space or other blank character$/,
    ],
    ["a string instead of an object", "pid=jdoe", /must be a JSON object/],
    ["null", null, /must be a JSON object/],
  ])("rejects %s naming the field, and writes nothing", async (_case, data, message) => {
    const queue = freshQueue();
    const producer = producerFor(queue);
    await producer.enqueue({ pid: "warm-up", password: "pw-0", source_id: "s" });
    const before = (await queueKeys(queue)).sort();

    const error = await producer.enqueue(data).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidJobError);
    expect(error).toMatchObject({
      code: "COURIER_INVALID_JOB",
      message: expect.stringMatching(message),
    });
    expect((error as Error).message).not.toContain("93718264");
    expect((await queueKeys(queue)).sort()).toEqual(before);
  });

  it("logs one line per job, without the password", async () => {
    const log = captureLog();
    const producer = producerFor(freshQueue(), log.logger);
    await producer.enqueue({ pid: "jdoe", password: "secret-pw-5521", source_id: "s" });
    await producer.enqueue({ pid: "jdoe", password: "secret-pw-5521", source_id: "s" });

    const lines = log.lines();
    expect(lines.map((line) => [line.level, line.msg, line.duplicate])).toEqual([
      [30, "credential delivery enqueued", false],
      [30, "credential delivery already enqueued within the duplicate window", true],
    ]);
    expect(lines[0]).toMatchObject({ pid: "jdoe", queue: expect.stringMatching(/^test-/) });
    expectNoSecrets(log.text(), ["secret-pw-5521"]);
  });
});

describe("enqueue options", () => {
  const guest = { pid: "jdoe", password: "pw-7", source_id: "s" };

  it("sets the job's priority", async () => {
    const queue = freshQueue();
    const { jobId } = await producerFor(queue).enqueue(guest, { priority: 5 });
    const job = await queue.getJob(jobId);
    expect(job?.priority).toBe(5);
    expect(await job?.getState()).toBe("prioritized");
  });

  it("delays the job until sendAt, and protects against duplicates until then plus the window", async () => {
    const queue = freshQueue();
    const sendAt = new Date(Date.now() + 60_000);
    const { jobId } = await producerFor(queue).enqueue(guest, { sendAt });
    const job = await queue.getJob(jobId);
    expect(await job?.getState()).toBe("delayed");
    expect(job?.delay).toBeGreaterThan(59_000);
    expect(job?.delay).toBeLessThanOrEqual(60_000);
    expect((job?.timestamp ?? 0) + (job?.delay ?? 0)).toBeGreaterThanOrEqual(sendAt.getTime() - 5);
    const ttl = await redis.pttl(`bull:${queue.name}:de:${duplicateKey(SECRET, guest)}`);
    expect(ttl).toBeGreaterThan(WINDOW_MS + 59_000);
  });

  it("treats a sendAt in the past as now", async () => {
    const queue = freshQueue();
    const { jobId } = await producerFor(queue).enqueue(guest, {
      sendAt: new Date(Date.now() - 3_600_000),
    });
    const job = await queue.getJob(jobId);
    expect(job?.delay).toBe(0);
    expect(await job?.getState()).toBe("waiting");
  });

  it.each([
    ["priority", { priority: 0 }],
    ["priority", { priority: 1.5 }],
    ["priority", { priority: PRIORITY_LIMIT + 1 }],
    ["priority", { priority: "3" as unknown as number }],
    ["sendAt", { sendAt: new Date("next tuesday") }],
    ["sendAt", { sendAt: "2025-06-01T09:00:00Z" as unknown as Date }],
  ])("rejects a bad %s (%p) by name, and writes nothing", async (option, options) => {
    const queue = freshQueue();
    const producer = producerFor(queue);
    for (const call of [
      () => producer.enqueue(guest, options),
      () => producer.enqueueMany([guest], options),
    ]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidEnqueueOptionError);
      expect(error).toMatchObject({ option, message: expect.stringMatching(`^${option}: `) });
    }
    expect(await queueKeys(queue)).toEqual([]);
  });

  it("accepts the highest and lowest priorities", async () => {
    const queue = freshQueue();
    const producer = producerFor(queue);
    await producer.enqueue(guest, { priority: 1 });
    await producer.enqueue({ ...guest, pid: "other" }, { priority: PRIORITY_LIMIT });
    expect(await queue.getJobCounts("prioritized")).toEqual({ prioritized: 2 });
  });
});

describe("DeliveryProducer.enqueueMany", () => {
  it("enqueues the good items in chunks and reports the bad ones by index", async () => {
    const queue = freshQueue();
    const log = captureLog();
    const producer = producerFor(queue, log.logger);
    const items: unknown[] = Array.from({ length: 2_500 }, (_, i) => ({
      pid: `guest-${i}`,
      password: `pw-${i}-${randomUUID().slice(0, 8)}`,
      source_id: "sms-gw-1",
      batch_id: "fair-2025",
    }));
    items[7] = { password: "pw", source_id: "s" };
    items[1_234] = { pid: "bad pid!", password: "pw", source_id: "s" };
    items[2_499] = { pid: "guest-x", password: 42, source_id: "s" };
    const transactions = countTransactions();

    const { accepted, rejected } = await producer.enqueueMany(items);

    expect(rejected).toEqual([
      { index: 7, reason: "invalid job: pid: is required" },
      {
        index: 1_234,
        reason: expect.stringMatching(/^invalid job: pid: AxelNAC accepts only ASCII/),
      },
      { index: 2_499, reason: "invalid job: password: must be a string" },
    ]);
    expect(accepted).toHaveLength(2_497);
    expect(accepted.every((item) => !item.duplicate)).toBe(true);
    expect(accepted.map((item) => item.index)).toEqual(
      items.map((_, i) => i).filter((i) => ![7, 1_234, 2_499].includes(i)),
    );
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 2_497 });
    for (const item of [accepted[0], accepted[1_500], accepted[2_496]]) {
      expect((await queue.getJob(item?.jobId ?? ""))?.data).toEqual(items[item?.index ?? -1]);
    }
    // One transaction (one round trip) per chunk of 1000, one add script per job.
    expect(transactions()).toEqual([1_000, 1_000, 497]);
    expect(log.lines()).toEqual([
      expect.objectContaining({
        msg: "credential deliveries enqueued in bulk",
        submitted: 2_500,
        enqueued: 2_497,
        duplicates: 0,
        rejected: 3,
        chunks: 3,
      }),
    ]);
  });

  it("sends a lone job outside any batch without a transaction, duplicates still recognised", async () => {
    const queue = freshQueue();
    const producer = producerFor(queue);
    const transactions = countTransactions();
    const alone = await producer.enqueueMany([{ pid: "alone", password: "p", source_id: "s" }]);
    const single = await producer.enqueue({ pid: "single", password: "p", source_id: "s" });
    expect(transactions()).toEqual([]);
    expect(alone.accepted).toEqual([{ index: 0, jobId: expect.any(String), duplicate: false }]);
    expect((await queue.getJob(single.jobId))?.data).toMatchObject({ pid: "single" });
    const again = await producer.enqueue({ pid: "single", password: "p", source_id: "s" });
    expect(again).toMatchObject({ jobId: single.jobId, duplicate: true });
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 2 });
  });

  it("honours a smaller chunk size and refuses a bad one", async () => {
    const queue = freshQueue();
    const producer = producerFor(queue);
    const items = Array.from({ length: 5 }, (_, i) => ({
      pid: `g${i}`,
      password: "p",
      source_id: "s",
    }));
    const transactions = countTransactions();
    await producer.enqueueMany(items, { chunkSize: 2 });
    // The last chunk holds one job outside any batch: its add script goes alone, no transaction.
    expect(transactions()).toEqual([2, 2]);
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 5 });
    await expect(producer.enqueueMany(items, { chunkSize: 0 })).rejects.toThrow(
      /^chunkSize: must be a whole number/,
    );
  });
});
