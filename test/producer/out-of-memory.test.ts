import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { readBatchStatus } from "../../src/batches/batch-status";
import { loadConfig } from "../../src/config/config";
import { batchOfJobId } from "../../src/jobs/job-id";
import { createLogger } from "../../src/logging/logger";
import { EnqueueInterruptedError } from "../../src/producer";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { connectOperator } from "../../src/wiring/operator";
import { connectDeliveryProducer } from "../../src/wiring/producer";
import { guestJobs } from "../support/deliveries";

/**
 * Redis refusing writes part-way (out of memory, `maxmemory-policy noeviction`): a batch's total
 * must equal the jobs that exist, and enqueueing the same items again once memory is freed must
 * make both right, with nobody enqueued twice.
 */
describe("DeliveryProducer when Redis runs out of memory", () => {
  let server: PrivateRedis;
  let admin: Redis;

  beforeAll(async () => {
    server = await startPrivateRedis({ dirPrefix: "courier-oom-" });
    admin = new Redis(server.url, { maxRetriesPerRequest: null });
  });

  afterAll(async () => {
    admin.disconnect();
    await server.destroy();
  });

  const usedMemory = async () =>
    Number(/used_memory:(\d+)/.exec(await admin.info("memory"))?.[1] ?? Number.NaN);

  it("counts in the batch's total exactly the jobs Redis accepted, and a second run completes it", async () => {
    const logger = createLogger({ level: "silent" });
    const config = loadConfig({
      REDIS_URL: server.url,
      QUEUE_NAME: `test-${randomUUID()}`,
      DUPLICATE_KEY_SECRET: "out-of-memory-test-secret",
    });
    const { producer, close } = await connectDeliveryProducer(config, logger);
    const operator = await connectOperator(config, logger);
    const batch = "oom";
    const items = guestJobs(3_000, "oom").map((job) => ({ ...job, batch_id: batch }));
    const held = async () =>
      (await operator.queue.getRanges(["prioritized", "wait", "delayed"], 0, -1)).filter(
        (id) => batchOfJobId(id) === batch,
      ).length;
    const total = async () =>
      (await readBatchStatus(operator.queue, operator.redis, operator.keys, batch)).total;
    try {
      // One chunk to learn what a chunk costs; then room for about half of the next one.
      const before = await usedMemory();
      await producer.enqueueMany(items.slice(0, 1_000), { priority: 1000 });
      const perChunk = (await usedMemory()) - before;
      await admin.config("SET", "maxmemory", String((await usedMemory()) + perChunk / 2));

      const refused = await producer
        .enqueueMany(items, { priority: 1000 })
        .then(() => undefined)
        .catch((error: Error) => error);
      const afterRefusal = { held: await held(), total: await total() };
      expect(afterRefusal.total).toBe(afterRefusal.held);
      // The error accounts for every item: what Redis holds, what it refused, what was not sent.
      expect(refused).toBeInstanceOf(EnqueueInterruptedError);
      const { code, message, items: account } = refused as EnqueueInterruptedError;
      expect({ code, message }).toEqual({
        code: "COURIER_REDIS_REFUSED",
        message: expect.stringMatching(/^Redis refused to enqueue: OOM command not allowed/),
      });
      const enqueued = account.accepted.filter((item) => !item.duplicate).length;
      expect({
        enqueued: 1_000 + enqueued,
        everyItemOnce: [
          ...account.accepted.map((item) => item.index as number),
          ...account.refused,
          ...account.unconfirmed,
          ...account.notAttempted,
        ].sort((a, b) => a - b),
      }).toEqual({
        enqueued: afterRefusal.held,
        everyItemOnce: items.map((_, index) => index),
      });

      await admin.config("SET", "maxmemory", "0");
      const again = await producer.enqueueMany(items, { priority: 1000 });
      const duplicates = again.accepted.filter((item) => item.duplicate).length;
      expect({ held: await held(), total: await total(), duplicates }).toEqual({
        held: 3_000,
        total: 3_000,
        duplicates: afterRefusal.held,
      });
      const refusedItems = (refused as EnqueueInterruptedError).items;
      console.log(
        `out of memory: ${JSON.stringify({
          perChunk,
          afterRefusal,
          refused: refusedItems.refused.length,
          notAttempted: refusedItems.notAttempted.length,
          duplicatesOnSecondRun: duplicates,
        })}`,
      );
    } finally {
      await admin.config("SET", "maxmemory", "0");
      await operator.close();
      await close();
    }
  }, 60_000);

  it("refuses a lone job (sent without a transaction) with Redis' reason, and writes it once memory is back", async () => {
    const logger = createLogger({ level: "silent" });
    const config = loadConfig({
      REDIS_URL: server.url,
      QUEUE_NAME: `test-${randomUUID()}`,
      DUPLICATE_KEY_SECRET: "out-of-memory-test-secret",
    });
    const { producer, queue, close } = await connectDeliveryProducer(config, logger);
    const [guest] = guestJobs(1, "oom-lone");
    try {
      await admin.config("SET", "maxmemory", "1");
      const refused = await producer.enqueueMany([guest]).catch((error: Error) => error);
      expect(refused).toBeInstanceOf(EnqueueInterruptedError);
      expect(refused).toMatchObject({
        code: "COURIER_REDIS_REFUSED",
        message: expect.stringMatching(/^Redis refused to enqueue: OOM command not allowed/),
        items: { accepted: [], refused: [0], unconfirmed: [] },
      });
      await expect(producer.enqueue(guest)).rejects.toMatchObject({
        code: "COURIER_REDIS_REFUSED",
        message: expect.stringMatching(/^Redis refused to enqueue: OOM command not allowed/),
      });
      await admin.config("SET", "maxmemory", "0");
      expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 0 });
      expect(await producer.enqueue(guest)).toMatchObject({ duplicate: false });
    } finally {
      await admin.config("SET", "maxmemory", "0");
      await close();
    }
  });
});
