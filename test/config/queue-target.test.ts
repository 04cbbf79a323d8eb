import { loadConfig } from "../../src/config/config";
import { describeQueueTarget, describeRedis } from "../../src/config/queue-target";

describe("describeRedis", () => {
  it.each([
    ["redis://127.0.0.1:6379", "127.0.0.1:6379 db 0 (no TLS)"],
    ["redis://redis", "redis:6379 db 0 (no TLS)"],
    ["redis://courier:s3cret@redis.example:6380/4", "redis.example:6380 db 4 (no TLS)"],
    ["redis://:s3cret@redis.example?db=2", "redis.example:6379 db 2 (no TLS)"],
    // A path of "/" alone names no database: the query's is taken.
    ["redis://redis.example/?db=3", "redis.example:6379 db 3 (no TLS)"],
    ["rediss://courier:s3cret@redis.example:6380/0", "redis.example:6380 db 0 (TLS)"],
    ["redis://[::1]:7000", "[::1]:7000 db 0 (no TLS)"],
  ])("%s is %s", (url, described) => {
    expect(describeRedis(url)).toBe(described);
  });
});

describe("describeQueueTarget", () => {
  it("names the Redis and the queue, and the prefix only when it is not BullMQ's own", () => {
    expect(describeQueueTarget(loadConfig({}))).toBe(
      "redis 127.0.0.1:6379 db 0 (no TLS), queue axelnac-credentials",
    );
    expect(
      describeQueueTarget(
        loadConfig({
          REDIS_URL: "redis://user:s3cret@10.0.0.5:6390/1",
          QUEUE_NAME: "event-sms",
          QUEUE_PREFIX: "courier",
        }),
      ),
    ).toBe("redis 10.0.0.5:6390 db 1 (no TLS), queue event-sms, prefix courier");
  });
});
