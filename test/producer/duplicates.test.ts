import { createHash, randomUUID } from "node:crypto";
import { Queue, Worker } from "bullmq";
import {
  DeliveryProducer,
  duplicateKeySecretKey,
  resolveDuplicateKeySecret,
} from "../../src/producer";
import { KeyRing } from "../../src/secrets";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";

const SECRET = "duplicates-test-duplicate-key-secret";
const redis = testRedis();
const queues: Queue[] = [];
const prefixes: string[] = [];

function freshQueue(): Queue {
  const queue = new Queue(`test-${randomUUID()}`, { connection: redis });
  queues.push(queue);
  return queue;
}

function producerFor(queue: Queue, duplicateWindowMs = 3_600_000, secret = SECRET) {
  return new DeliveryProducer({ queue, duplicateWindowMs, duplicateKeySecret: secret });
}

afterAll(async () => {
  for (const queue of queues) {
    await deleteKeys(redis, `bull:${queue.name}:`);
    await queue.close();
  }
  for (const prefix of prefixes) await deleteKeys(redis, prefix);
  redis.disconnect();
});

const guest = { pid: "jdoe", password: "Kx9-vault-77", source_id: "sms-gw-1" };

describe("duplicate protection", () => {
  it("does not enqueue the same delivery twice within the window", async () => {
    const queue = freshQueue();
    const producer = producerFor(queue);
    const first = await producer.enqueue(guest);
    const again = await producer.enqueue({ ...guest, reference: "another ref" });

    expect(again).toEqual({ jobId: first.jobId, duplicate: true, duplicateOf: first.jobId });
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 1 });

    // Another password, pid or source is another delivery.
    for (const other of [
      { ...guest, password: "Kx9-vault-78" },
      { ...guest, pid: "jdoe2" },
      { ...guest, source_id: "sms-gw-2" },
    ]) {
      expect((await producer.enqueue(other)).duplicate).toBe(false);
    }
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 4 });
  });

  it("enqueues again with resend, without touching the protection", async () => {
    const queue = freshQueue();
    const producer = producerFor(queue);
    const first = await producer.enqueue(guest);
    const resent = await producer.enqueue(guest, { resend: true });

    expect(resent.duplicate).toBe(false);
    expect(resent.jobId).not.toBe(first.jobId);
    expect((await queue.getJob(resent.jobId))?.opts.deduplication).toBeUndefined();
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 2 });
    expect((await producer.enqueue(guest)).duplicateOf).toBe(first.jobId);
  });

  it("still recognises the delivery after its job was delivered and removed", async () => {
    const queue = freshQueue();
    const producer = producerFor(queue);
    const first = await producer.enqueue(guest);
    const connection = testRedis();
    const worker = new Worker(queue.name, async () => "sent", { connection });
    await new Promise((resolve) => worker.once("completed", resolve));
    await worker.close();
    connection.disconnect();
    expect(await queue.getJob(first.jobId)).toBeUndefined(); // removeOnComplete

    const again = await producer.enqueue(guest);
    expect(again).toMatchObject({ duplicate: true, duplicateOf: first.jobId });
    expect(await queue.getJobCounts("waiting", "completed")).toEqual({ waiting: 0, completed: 0 });
  });

  it("enqueues again once the window has passed, even if the first job still waits", async () => {
    const queue = freshQueue();
    const producer = producerFor(queue, 300);
    const first = await producer.enqueue(guest);
    expect((await producer.enqueue(guest)).duplicate).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 350));

    const later = await producer.enqueue(guest);
    expect(later.duplicate).toBe(false);
    expect(later.jobId).not.toBe(first.jobId);
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 2 });
  });

  it("recognises duplicates inside one enqueueMany call and across calls", async () => {
    const queue = freshQueue();
    const producer = producerFor(queue);
    const other = { ...guest, pid: "asmith" };
    const items = [guest, other, { ...guest }, guest];

    const first = await producer.enqueueMany(items, { chunkSize: 3 }); // the repeat spans chunks
    const [a, b, c, d] = first.accepted;
    expect([a?.duplicate, b?.duplicate, c?.duplicate, d?.duplicate]).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(c).toEqual({ index: 2, jobId: a?.jobId, duplicate: true, duplicateOf: a?.jobId });
    expect(d?.duplicateOf).toBe(a?.jobId);

    const second = await producer.enqueueMany([other, { ...guest, pid: "new-guest" }]);
    expect(second.accepted).toEqual([
      { index: 0, jobId: b?.jobId, duplicate: true, duplicateOf: b?.jobId },
      { index: 1, jobId: expect.any(String), duplicate: false },
    ]);
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 3 });
  });

  it("keeps nothing in Redis that gives the password away", async () => {
    const queue = freshQueue();
    const producer = producerFor(queue);
    const { jobId } = await producer.enqueue(guest);
    const digests = [
      createHash("sha256").update(guest.password).digest("hex"),
      createHash("sha256").update(guest.password).digest("base64"),
    ];
    const secrets = [guest.password, ...digests];

    const keys = await redis.keys(`bull:${queue.name}:*`);
    const dedupKeys = keys.filter((key) => key.startsWith(`bull:${queue.name}:de:`));
    expect(dedupKeys).toHaveLength(1);
    for (const key of keys) {
      for (const secret of secrets) expect(key).not.toContain(secret);
    }
    for (const key of dedupKeys) {
      const value = await redis.get(key);
      expect(value).toBe(jobId);
      for (const secret of secrets) expect(value).not.toContain(secret);
    }
    // The job itself holds the password in `data` until delivered; nowhere else.
    const { data, ...fields } = await redis.hgetall(`bull:${queue.name}:${jobId}`);
    expect(data).toContain(guest.password);
    const rest = JSON.stringify(fields);
    for (const secret of secrets) expect(rest).not.toContain(secret);
  });
});

describe("the duplicate-key secret", () => {
  it("is generated once and shared through Redis by every producer", async () => {
    const prefix = uniquePrefix("producer-secret");
    prefixes.push(prefix);
    const [one, two] = [testRedis(), testRedis()];
    try {
      const [a, b] = await Promise.all([
        resolveDuplicateKeySecret(one, prefix),
        resolveDuplicateKeySecret(two, prefix),
      ]);
      expect(a).toBe(b);
      expect(Buffer.from(a, "base64url")).toHaveLength(32);
      expect(await redis.get(duplicateKeySecretKey(prefix))).toBe(a);
      expect(await resolveDuplicateKeySecret(one, prefix)).toBe(a);

      // Two producers of the fleet recognise each other's deliveries.
      const queue = freshQueue();
      const first = await producerFor(queue, 60_000, a).enqueue(guest);
      const second = await producerFor(queue, 60_000, b).enqueue(guest);
      expect(second).toMatchObject({ duplicate: true, duplicateOf: first.jobId });
    } finally {
      one.disconnect();
      two.disconnect();
    }
  });

  it("is the configured one when DUPLICATE_KEY_SECRET is set, and then nothing is stored", async () => {
    const prefix = uniquePrefix("producer-secret");
    prefixes.push(prefix);
    const configured = "configured-secret-0123456789";
    expect(await resolveDuplicateKeySecret(redis, prefix, { configured })).toBe(configured);
    expect(await redis.exists(duplicateKeySecretKey(prefix))).toBe(0);
  });

  it("is derived from the key ring when one is set: nothing is stored, and sealed jobs are still recognised", async () => {
    const prefix = uniquePrefix("producer-secret");
    prefixes.push(prefix);
    const ring = KeyRing.parse(`k1:${Buffer.alloc(32, 91).toString("base64")}`);
    const derived = await resolveDuplicateKeySecret(redis, prefix, { keyRing: ring });
    expect(await redis.exists(duplicateKeySecretKey(prefix))).toBe(0);
    expect(await resolveDuplicateKeySecret(redis, prefix, { keyRing: ring })).toBe(derived);
    expect(
      await resolveDuplicateKeySecret(redis, prefix, { configured: SECRET, keyRing: ring }),
    ).toBe(SECRET);

    // Each sealing of the same password differs (random IV); the duplicate key does not.
    const queue = freshQueue();
    const sealing = (secret: string) =>
      new DeliveryProducer({
        queue,
        duplicateWindowMs: 60_000,
        duplicateKeySecret: secret,
        keyRing: ring,
      });
    const first = await sealing(derived).enqueue(guest);
    const again = await sealing(derived).enqueue(guest);
    expect(again).toMatchObject({ duplicate: true, duplicateOf: first.jobId });
    const stored = await queue.getJob(first.jobId);
    expect(stored?.data.password).toMatch(/^enc:v1:k1:/);
    expect(JSON.stringify(stored?.data)).not.toContain(guest.password);
  });
});
