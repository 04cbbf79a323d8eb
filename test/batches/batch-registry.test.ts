import { randomUUID } from "node:crypto";
import { batchKeys } from "../../src/batches/batch-keys";
import { REGISTER_ENQUEUED, registrationArgs } from "../../src/batches/batch-registry";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";

describe("batch totals", () => {
  const redis = testRedis();
  const prefix = uniquePrefix("batch-registry");
  const keys = batchKeys(prefix, "queue");
  const jobPrefix = `${prefix}:jobs:`;

  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("count the jobs that exist under the proposed ids once, even when the transaction runs twice", async () => {
    const written = [randomUUID(), randomUUID(), randomUUID()];
    // A duplicate: BullMQ kept an earlier job, nothing was written under this id.
    const notWritten = randomUUID();
    for (const id of written) await redis.hset(`${jobPrefix}${id}`, "name", "send-credentials");
    const args = registrationArgs(
      keys,
      jobPrefix,
      [...written, notWritten].map((jobId, n) => ({ jobId, batchId: "expo", pid: `guest-${n}` })),
      Date.now(),
    );

    // A client that resends unanswered commands after a reconnection runs it a second time.
    const first = await redis.eval(REGISTER_ENQUEUED, 0, ...args);
    const second = await redis.eval(REGISTER_ENQUEUED, 0, ...args);

    expect({
      first,
      second,
      guests: (await redis.smembers(keys.deliveries("expo", "guests"))).sort(),
    }).toEqual({ first: 3, second: 0, guests: ["guest-0", "guest-1", "guest-2"] });
    expect(await redis.zrange(keys.batches, 0, -1)).toEqual(["expo"]);
  });
});
