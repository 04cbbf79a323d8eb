import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { loadConfig } from "../../src/config/config";
import { IMPORT_LANE_PRIORITY } from "../../src/import/importer";
import { createLogger } from "../../src/logging/logger";
import { connectDeliveryProducer } from "../../src/runtime/producer";
import { startSimulator } from "../../src/simulator";
import { startDeliveryWorker } from "../../workers/delivery-worker";
import { runCli } from "../support/cli";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { waitUntil } from "../support/wait";

/**
 * 50,000 is an event's worth of guests. Enqueuing them here takes a few seconds; at 20 ms per
 * send and 8 requests at once, delivering them would take about two minutes.
 */
const IMPORTED = 50_000;
const CHUNK = 5_000;
/** Sends that may go out after the walk-in is surely queued and before it: those in flight. */
const AHEAD_AT_MOST = 30;

describe("the import lane", () => {
  it("delivers a walk-in guest within seconds while a 50,000-guest import is still waiting", async () => {
    const redis = testRedis();
    const queueName = `test-${randomUUID()}`;
    const prefix = uniquePrefix("lanes");
    const sim = await startSimulator({ port: 0, latencyMs: 20 });
    const env = {
      REDIS_URL: testRedisUrl(),
      QUEUE_NAME: queueName,
      REDIS_KEY_PREFIX: prefix,
      AXELNAC_URL: sim.url,
      AXELNAC_USERNAME: "admin",
      AXELNAC_PASSWORD: "admin",
      SHUTDOWN_TIMEOUT: "5s",
      LOG_LEVEL: "warn",
    };
    const config = loadConfig(env);
    const logger = createLogger({ level: "silent" });
    const producer = await connectDeliveryProducer(config, logger);
    let worker: Awaited<ReturnType<typeof startDeliveryWorker>> | undefined;
    try {
      // The worker is stopped: the whole import is queued before the first delivery, as when
      // an import lands on a busy or paused fleet.
      for (let start = 0; start < IMPORTED; start += CHUNK) {
        const rows = Array.from({ length: CHUNK }, (_, n) => ({
          pid: `imported-${start + n}`,
          password: `pw-${start + n}`,
          source_id: "sms",
          batch_id: "event",
        }));
        const { accepted } = await producer.producer.enqueueMany(rows, {
          priority: IMPORT_LANE_PRIORITY,
        });
        expect(accepted.filter((a) => !a.duplicate)).toHaveLength(CHUNK);
      }

      worker = await startDeliveryWorker(config, logger);
      await waitUntil(() => sim.outbox().length >= 200, {
        timeoutMs: 15_000,
        what: "the import's deliveries to get going",
      });

      const walkIn = await runCli(
        ["enqueue", "--pid", "walk-in", "--source-id", "sms"],
        env,
        "Walk-In-pw\n",
      );
      expect(walkIn.code).toBe(0);
      const queuedAt = Date.now();
      const sentBefore = sim.outbox().length;
      await waitUntil(() => sim.outbox().some((sms) => sms.pid === "walk-in"), {
        timeoutMs: 5_000,
        intervalMs: 10,
        what: "the walk-in's SMS",
      });
      const waitedMs = Date.now() - queuedAt;
      const position = sim.outbox().findIndex((sms) => sms.pid === "walk-in");

      console.log({ waitedMs, position, sentBefore });
      expect(waitedMs).toBeLessThan(3_000);
      // Only the sends already under way went out between the enqueue and the walk-in's.
      expect(position - sentBefore).toBeLessThan(AHEAD_AT_MOST);
      // … while nearly all of the import still waits.
      expect(position).toBeLessThan(IMPORTED / 10);
    } finally {
      await worker?.close();
      await producer.close();
      await sim.close();
      const queue = new Queue(queueName, { connection: redis });
      await queue.obliterate({ force: true });
      await queue.close();
      await deleteKeys(redis, `bull:${queueName}:`);
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });
});
