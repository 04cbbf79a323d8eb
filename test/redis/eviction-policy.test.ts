import Redis from "ioredis";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { runCliWithin } from "../support/cli";
import { WorkerProcess } from "../support/worker-fleet";

/**
 * A Redis that may evict keys under memory pressure can drop waiting jobs and the fleet's token:
 * the worker and `check` report it as a structured error with its code, not only through
 * BullMQ's own plain-text console line.
 */
describe("Redis with an evicting maxmemory-policy", () => {
  let server: PrivateRedis;

  beforeAll(async () => {
    server = await startPrivateRedis({ dirPrefix: "courier-eviction-" });
    const admin = new Redis(server.url);
    await admin.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
    admin.disconnect();
  });

  afterAll(() => server.destroy());

  it("check fails with COURIER_REDIS_EVICTION_POLICY", async () => {
    const result = await runCliWithin(30_000, ["check"], {
      REDIS_URL: server.url,
      AXELNAC_URL: "simulator",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^failed: COURIER_REDIS_EVICTION_POLICY: Redis at redis:\/\/127\.0\.0\.1:\d+\/? evicts keys under memory pressure \(maxmemory-policy allkeys-lru\): .*set maxmemory-policy noeviction/m,
    );
    // The appliance part is unaffected.
    expect(result.stdout).toMatch(/^ok: http:\/\/127\.0\.0\.1:\d+ accepted the API credentials/m);
  });

  it("the worker logs it at start as an error line with the code, and delivers all the same", async () => {
    const worker = new WorkerProcess("worker", {
      PATH: process.env.PATH ?? "",
      REDIS_URL: server.url,
      AXELNAC_URL: "simulator",
      LOG_FORMAT: "json",
    });
    try {
      const line = await worker.waitForLog((l) => l.code === "COURIER_REDIS_EVICTION_POLICY");
      expect(line).toMatchObject({
        level: 50,
        maxmemoryPolicy: "allkeys-lru",
        msg: expect.stringMatching(
          /evicts keys under memory pressure \(maxmemory-policy allkeys-lru\)/,
        ),
      });
      await worker.ready();
    } finally {
      await worker.kill();
    }
  });
});
