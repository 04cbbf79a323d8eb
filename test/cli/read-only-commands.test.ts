import Redis from "ioredis";
import { loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { type Simulator, startSimulator } from "../../src/simulator";
import { type ConnectedProducer, connectDeliveryProducer } from "../../src/wiring/producer";
import { runCli } from "../support/cli";
import { dumpEverything } from "../support/redis-dump";

/** The commands that only look: each may run against a production Redis without changing it. */
const READ_ONLY_COMMANDS = [
  "status",
  "status --json",
  "failed list",
  "failed list --json",
  "check",
  "keys status",
  "history --pid guest-1",
  "history --pid guest-1 --json",
  "report --batch none",
];

describe("read-only commands write nothing to Redis", () => {
  let server: PrivateRedis;
  let redis: Redis;
  let sim: Simulator;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startPrivateRedis({ dirPrefix: "courier-read-only-" });
    redis = new Redis(server.url, { maxRetriesPerRequest: null });
    sim = await startSimulator({ port: 0 });
    env = {
      REDIS_URL: server.url,
      AXELNAC_URL: sim.url,
      AXELNAC_USERNAME: "admin",
      AXELNAC_PASSWORD: "admin",
      AXELNAC_SOURCE_ID: "sms",
      LOG_LEVEL: "warn",
    };
  });

  afterAll(async () => {
    redis.disconnect();
    await sim.close();
    await server.destroy();
  });

  it.each(READ_ONLY_COMMANDS)(
    "%s on an empty Redis leaves it empty",
    async (command) => {
      await redis.flushall();
      const result = await runCli(command.split(" "), env);
      expect(result.stderr).not.toMatch(/failed:/);
      expect(await redis.dbsize()).toBe(0);
    },
    30_000,
  );

  describe("on a Redis with a queue in it", () => {
    let producer: ConnectedProducer;

    beforeAll(async () => {
      await redis.flushall();
      producer = await connectDeliveryProducer(loadConfig(env), createLogger({ level: "silent" }));
      await producer.producer.enqueue({ pid: "guest-1", password: "Secret-1", source_id: "sms" });
      await producer.producer.enqueue({ pid: "guest-2", password: "Secret-2", source_id: "sms" });
    });

    afterAll(async () => {
      await producer.close();
    });

    it.each(READ_ONLY_COMMANDS)(
      "%s changes no key and no value",
      async (command) => {
        const before = await dumpEverything(redis);
        const result = await runCli(command.split(" "), env);
        expect(result.stderr).not.toMatch(/failed:/);
        expect(await dumpEverything(redis)).toBe(before);
      },
      30_000,
    );
  });
});
