import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import type Redis from "ioredis";
import { loadConfig } from "../../src/config/config";
import { IMPORT_LANE_PRIORITY } from "../../src/import/importer";
import { createLogger } from "../../src/logging/logger";
import { type SentSms, type Simulator, startSimulator } from "../../src/simulator";
import { connectDeliveryProducer } from "../../src/wiring/producer";
import { startDeliveryWorker } from "../../src/worker/start";
import { runCli } from "../support/cli";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { waitUntil } from "../support/wait";

/**
 * 50,000 is an event's worth of guests. Enqueuing them here takes a few seconds; at 20 ms per
 * send and 8 requests at once, delivering them would take about two minutes.
 */
const IMPORTED = 50_000;
const CHUNK = 5_000;
/** Sends that may go out after the walk-in is queued and before it: the 8 in flight, and slack. */
const AHEAD_AT_MOST = 20;

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
      const walkInSms = await waitForSms(sim, "walk-in");
      // When Redis took the walk-in in: its "added" event, whose stream id is Redis' clock in ms.
      const [, jobId] = /^enqueued delivery (\S+) for walk-in$/m.exec(walkIn.stdout) ?? [];
      const addedAt = await addedEventTime(redis, `bull:${queueName}:events`, String(jobId));
      const outbox = sim.outbox();
      const position = outbox.findIndex((sms) => sms.pid === "walk-in");
      const sentInBetween = outbox
        .slice(0, position)
        .filter((sms) => Date.parse(sms.at) >= addedAt).length;

      expect(Date.parse(walkInSms.at) - addedAt).toBeLessThan(3_000);
      // Only sends already under way went out between the walk-in's enqueue and its own …
      expect(sentInBetween).toBeLessThan(AHEAD_AT_MOST);
      // … while nearly all of the import is still waiting.
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

async function waitForSms(sim: Simulator, pid: string): Promise<SentSms> {
  let found: SentSms | undefined;
  await waitUntil(
    () => {
      found = sim.outbox().find((sms) => sms.pid === pid);
      return found !== undefined;
    },
    { timeoutMs: 5_000, intervalMs: 10, what: `the SMS to ${pid}` },
  );
  return found as SentSms;
}

/** The time (ms) of a job's "added" event in BullMQ's event stream. */
async function addedEventTime(redis: Redis, stream: string, jobId: string): Promise<number> {
  const entries = await redis.xrevrange(stream, "+", "-", "COUNT", 20_000);
  for (const [id, fields] of entries) {
    const event: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2)
      event[fields[i] as string] = fields[i + 1] as string;
    if (event.event === "added" && event.jobId === jobId) return Number(id.split("-")[0]);
  }
  throw new Error(`no "added" event for job ${jobId} in ${stream}`);
}
