import type Redis from "ioredis";
import { LeasedRateLimitStore, type RateLimitCount } from "../../src/serve/rate-limit-leases";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";

/** One request counted by the store, as @fastify/rate-limit asks it. */
function count(
  store: LeasedRateLimitStore,
  key: string,
  windowMs: number,
  max: number,
): Promise<RateLimitCount> {
  return new Promise((resolve, reject) => {
    store.incr(
      key,
      (error, counted) => (error || !counted ? reject(error) : resolve(counted)),
      windowMs,
      max,
    );
  });
}

/** How many of `requests` requests, spread over the stores in turn, the stores admitted. */
async function admitted(
  stores: LeasedRateLimitStore[],
  key: string,
  requests: number,
  windowMs: number,
  max: number,
): Promise<number> {
  let admittedCount = 0;
  for (let n = 0; n < requests; n++) {
    const store = stores[n % stores.length] as LeasedRateLimitStore;
    if ((await count(store, key, windowMs, max)).current <= max) admittedCount += 1;
  }
  return admittedCount;
}

describe("LeasedRateLimitStore: a Redis-shared count, leased in blocks", () => {
  let redis: Redis;
  let prefix: string;
  const WINDOW_MS = 60_000;

  beforeAll(() => {
    redis = testRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix("rate-lease");
  });
  afterEach(async () => {
    await deleteKeys(redis, prefix);
  });
  afterAll(() => {
    redis.disconnect();
  });

  it("takes a block of 1% of the limit from Redis and admits it from memory", async () => {
    const store = new LeasedRateLimitStore(redis, `${prefix}:`);
    const first = await count(store, "key:a", WINDOW_MS, 1_000);
    expect(first.current).toBe(1);
    // Redis holds the whole block granted, not the one request counted.
    expect(await redis.get(`${prefix}:key:a`)).toBe("10");
    for (let n = 2; n <= 10; n++) {
      expect((await count(store, "key:a", WINDOW_MS, 1_000)).current).toBe(n);
    }
    expect(await redis.get(`${prefix}:key:a`)).toBe("10");
    // The eleventh request takes the next block.
    expect((await count(store, "key:a", WINDOW_MS, 1_000)).current).toBe(11);
    expect(await redis.get(`${prefix}:key:a`)).toBe("20");
    const ttl = await redis.pttl(`${prefix}:key:a`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(WINDOW_MS);
  });

  it("never admits more than the limit in a window, however many instances share it", async () => {
    const stores = [1, 2, 3].map(() => new LeasedRateLimitStore(redis, `${prefix}:`));
    const max = 1_000;
    expect(await admitted(stores, "key:b", 1_300, WINDOW_MS, max)).toBeLessThanOrEqual(max);
    expect(await redis.get(`${prefix}:key:b`)).toBe(String(max));
  });

  it("loses at most one block per other instance to leases left unused", async () => {
    const stores = [1, 2, 3].map(() => new LeasedRateLimitStore(redis, `${prefix}:`));
    const max = 1_000;
    // Each of the other two takes one block and uses one request of it.
    await count(stores[1] as LeasedRateLimitStore, "key:c", WINDOW_MS, max);
    await count(stores[2] as LeasedRateLimitStore, "key:c", WINDOW_MS, max);
    const rest = await admitted([stores[0] as LeasedRateLimitStore], "key:c", max, WINDOW_MS, max);
    expect(rest).toBe(max - 2 * 10);
  });

  it("counts request by request under a limit of 100, exactly across instances", async () => {
    const stores = [1, 2].map(() => new LeasedRateLimitStore(redis, `${prefix}:`));
    expect(await admitted(stores, "key:d", 10, WINDOW_MS, 7)).toBe(7);
    expect(await redis.get(`${prefix}:key:d`)).toBe("7");
  });

  it("answers concurrent requests of one key from one lease, each counted once", async () => {
    const store = new LeasedRateLimitStore(redis, `${prefix}:`);
    const counts = await Promise.all(
      Array.from({ length: 25 }, () => count(store, "key:e", WINDOW_MS, 1_000)),
    );
    expect(counts.map(({ current }) => current).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect(await redis.get(`${prefix}:key:e`)).toBe("30");
  });

  it("refuses from memory once Redis has granted the whole limit, until the window ends", async () => {
    const store = new LeasedRateLimitStore(redis, `${prefix}:`);
    const windowMs = 1_500;
    expect(await admitted([store], "key:f", 3, windowMs, 2)).toBe(2);
    const refused = await count(store, "key:f", windowMs, 2);
    expect(refused.current).toBe(3);
    expect(refused.ttl).toBeGreaterThan(0);
    expect(refused.ttl).toBeLessThanOrEqual(windowMs);
    await new Promise((resolve) => setTimeout(resolve, refused.ttl + 50));
    expect((await count(store, "key:f", windowMs, 2)).current).toBe(1);
  });

  it("passes a Redis failure on to the request, and asks Redis again for the next one", async () => {
    const broken = testRedis();
    broken.disconnect();
    const store = new LeasedRateLimitStore(broken, `${prefix}:`);
    await expect(count(store, "key:g", WINDOW_MS, 10)).rejects.toThrow(/closed/i);
    await expect(count(store, "key:g", WINDOW_MS, 10)).rejects.toThrow(/closed/i);
  });
});
