import Redis from "ioredis";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { IdempotencyStore } from "../../src/serve/idempotency/idempotency-store";

/**
 * The store's scripts go by SHA-1 (EVALSHA): a Redis that lost them (a restart, SCRIPT FLUSH)
 * must still claim, complete and release. A private server, so the flush touches no one else.
 */
describe("IdempotencyStore's scripts, on a Redis that forgets them", () => {
  let server: PrivateRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startPrivateRedis({ dirPrefix: "courier-idem-store-" });
    redis = new Redis(server.url, { maxRetriesPerRequest: null });
  });

  afterAll(async () => {
    redis.disconnect();
    await server.destroy();
  });

  it("claims, completes and releases after SCRIPT FLUSH, sending each script again", async () => {
    const store = new IdempotencyStore(redis);
    const running = { state: "running" as const, fingerprint: "f", claim: "c1", startedAt: 1 };
    await redis.script("FLUSH");
    expect(await store.claim("k1", running, 60_000)).toEqual({ claimed: true });
    await redis.script("FLUSH");
    const done = {
      state: "done" as const,
      fingerprint: "f",
      response: { status: 202, contentType: "application/json", body: "{}" },
      storedAt: 2,
    };
    expect(await store.complete("k1", "c1", done, 60_000)).toBe(true);
    expect(await store.claim("k1", { ...running, claim: "c2" }, 60_000)).toMatchObject({
      claimed: false,
      existing: { state: "done", fingerprint: "f" },
    });
    await redis.script("FLUSH");
    expect(await store.claim("k2", running, 60_000)).toEqual({ claimed: true });
    await redis.script("FLUSH");
    expect(await store.release("k2", "c1")).toBe(true);
    expect(await redis.exists("k2")).toBe(0);
  });
});
