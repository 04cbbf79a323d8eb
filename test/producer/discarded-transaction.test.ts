import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { EnqueueInterruptedError } from "../../src/producer";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { connectDeliveryProducer } from "../../src/wiring/producer";
import { guestJobs } from "../support/deliveries";

/**
 * ioredis sends a script's text the first time a connection uses it, its SHA-1 after. When that
 * first use is in a transaction Redis discards as a whole (here: keys the user may not write),
 * Redis never loads the script, and the next transaction must still write every job.
 */
describe("DeliveryProducer after Redis discarded its first transaction", () => {
  let server: PrivateRedis;
  let admin: Redis;

  beforeAll(async () => {
    server = await startPrivateRedis({ dirPrefix: "courier-discarded-" });
    admin = new Redis(server.url, { maxRetriesPerRequest: null });
  });

  afterAll(async () => {
    admin.disconnect();
    await server.destroy();
  });

  it("writes the whole chunk on the next try, once Redis takes writes again", async () => {
    const config = loadConfig({
      REDIS_URL: server.url,
      QUEUE_NAME: `test-${randomUUID()}`,
      DUPLICATE_KEY_SECRET: "discarded-transaction-test-secret",
    });
    const { producer, close } = await connectDeliveryProducer(
      config,
      createLogger({ level: "silent" }),
    );
    const items = guestJobs(20, "discarded").map((job) => ({ ...job, batch_id: "discarded" }));
    try {
      await admin.call("ACL", "SETUSER", "default", "resetkeys", "%R~*");
      const refused = await producer.enqueueMany(items).catch((error: Error) => error);
      expect(refused).toBeInstanceOf(EnqueueInterruptedError);
      await admin.call("ACL", "SETUSER", "default", "resetkeys", "~*");
      const again = await producer.enqueueMany(items);
      expect(again.rejected).toEqual([]);
      expect(again.accepted.filter((item) => !item.duplicate)).toHaveLength(20);
      expect(await admin.zcard(`bull:${config.queue.name}:prioritized`)).toBe(0);
      expect(await admin.llen(`bull:${config.queue.name}:wait`)).toBe(20);
    } finally {
      await close();
    }
  });
});
