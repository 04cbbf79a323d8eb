import { randomUUID } from "node:crypto";
import { loadConfig } from "../../src/config/config";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { type RunningServer, startServer } from "../../src/serve/server";
import { captureLog } from "../support/log-sink";
import { waitUntil } from "../support/wait";

/** A Redis of the test's own, stopped and started again under a running serve. */
describe("serve while Redis is away", () => {
  let redis: PrivateRedis;
  let server: RunningServer;
  const log = captureLog("debug");
  beforeAll(async () => {
    redis = await startPrivateRedis({ appendOnly: true, dirPrefix: "courier-serve-outage-" });
    const config = loadConfig({
      REDIS_URL: redis.url,
      QUEUE_NAME: `test-${randomUUID()}`,
      SERVE_PORT: "0",
    });
    server = await startServer(config, log.logger);
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.destroy();
  });

  const post = (key: string) =>
    fetch(`${server.url}/v1/deliveries`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ pid: "outage-guest", password: "guestpw-0a0a", source_id: "sms" }),
    });

  it("answers 503 COURIER_REDIS_UNREACHABLE within its 10 s wait, then serves again once Redis is back", async () => {
    const { key } = await server.deps.apiKeys.create({ name: "x", scopes: ["deliveries:write"] });
    await redis.stop();
    const started = Date.now();
    const during = await post(key);
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({
      error: {
        code: "COURIER_REDIS_UNREACHABLE",
        message: "Redis, where deliveries are queued, is not answering: try again later",
      },
    });
    // It waited for Redis (10 s) rather than failing at the first refused connection.
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
    expect(log.text()).not.toContain(key.split(".")[1]);

    await redis.start();
    let status = 0;
    await waitUntil(
      async () => {
        status = (await post(key)).status;
        return status === 202;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 500,
        what: "serve to enqueue again",
        describe: () => status,
      },
    );
  }, 90_000);
});
