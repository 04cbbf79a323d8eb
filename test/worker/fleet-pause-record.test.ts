import {
  fleetPauseKey,
  readFleetPause,
  recordFleetPause,
} from "../../src/worker/fleet-pause-record";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";
import { sleep } from "../support/wait";

describe("the fleet pause as Redis records it", () => {
  const redis = testRedis();
  const prefix = uniquePrefix("fleet-pause");
  let key: string;
  let n = 0;

  beforeEach(() => {
    key = fleetPauseKey(prefix, `queue-${n++}`);
  });

  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("reads nothing when no pause runs", async () => {
    expect(await readFleetPause(redis, key)).toBeNull();
    expect(await redis.exists(key)).toBe(0);
  });

  it("keeps a throttle's cause, what was asked for and the cap, until the pause ends", async () => {
    const throttled = {
      cause: "throttled",
      code: "AXELNAC_THROTTLED",
      retryAfterMs: 86_400_000,
    } as const;
    const before = Date.now();
    expect(await recordFleetPause(redis, key, 5_000, { ...throttled, cappedAtMs: 5_000 })).toBe(
      5_000,
    );
    const pause = await readFleetPause(redis, key);
    expect(pause).toEqual({
      ...throttled,
      cappedAtMs: 5_000,
      remainingMs: expect.any(Number),
      endsAt: expect.any(String),
    });
    expect(pause?.remainingMs).toBeGreaterThan(4_000);
    expect(pause?.remainingMs).toBeLessThanOrEqual(5_000);
    const endsAt = Date.parse(pause?.endsAt ?? "");
    expect(endsAt).toBeGreaterThanOrEqual(before + 5_000);
    expect(endsAt).toBeLessThanOrEqual(Date.now() + 5_000);
  });

  it("records no cap for a throttle within it", async () => {
    await recordFleetPause(redis, key, 800, {
      cause: "throttled",
      code: "AXELNAC_THROTTLED",
      retryAfterMs: 800,
    });
    const pause = await readFleetPause(redis, key);
    expect(pause).toMatchObject({ cause: "throttled", retryAfterMs: 800 });
    expect(pause && "cappedAtMs" in pause).toBe(false);
  });

  it("never shortens a running pause: the fleet waits for the longer, whose cause stays", async () => {
    await recordFleetPause(redis, key, 5_000, {
      cause: "unavailable",
      code: "AXELNAC_UNREACHABLE",
    });
    const held = await recordFleetPause(redis, key, 1_000, {
      cause: "throttled",
      code: "AXELNAC_THROTTLED",
      retryAfterMs: 1_000,
    });
    expect(held).toBeGreaterThan(4_000);
    expect(held).toBeLessThanOrEqual(5_000);
    expect(await readFleetPause(redis, key)).toMatchObject({
      cause: "unavailable",
      code: "AXELNAC_UNREACHABLE",
    });

    // A longer one replaces it, cause and all.
    expect(
      await recordFleetPause(redis, key, 9_000, {
        cause: "unavailable",
        code: "AXELNAC_ACCESS_DENIED",
      }),
    ).toBe(9_000);
    expect(await readFleetPause(redis, key)).toMatchObject({ code: "AXELNAC_ACCESS_DENIED" });
  });

  it("is gone once the pause is over", async () => {
    await recordFleetPause(redis, key, 100, { cause: "unavailable", code: "AXELNAC_UNREACHABLE" });
    expect(await readFleetPause(redis, key)).not.toBeNull();
    await sleep(200);
    expect(await readFleetPause(redis, key)).toBeNull();
    expect(await redis.exists(key)).toBe(0);
  });

  it("holds the fleet back at least a millisecond, as BullMQ's limiter refuses a pause of 0", async () => {
    expect(
      await recordFleetPause(redis, key, 0, {
        cause: "throttled",
        code: "AXELNAC_THROTTLED",
        retryAfterMs: 0,
      }),
    ).toBe(1);
  });
});
