import { backoffDelayMs } from "../../src/outcome/retry-backoff";

describe("the deliveries' retry delays", () => {
  const delivery = { backoffMs: 5_000, backoffMaxMs: 600_000 };

  it("double from DELIVERY_BACKOFF, drawn between half and the whole of each step", () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(delivery, n, () => 0))).toEqual([
      2_500, 5_000, 10_000, 20_000,
    ]);
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(delivery, n, () => 1))).toEqual([
      5_000, 10_000, 20_000, 40_000,
    ]);
  });

  it("stop growing at DELIVERY_BACKOFF_MAX", () => {
    expect(backoffDelayMs(delivery, 9, () => 1)).toBe(600_000);
    expect(backoffDelayMs(delivery, 30, () => 0)).toBe(300_000);
  });

  it("spread jobs that failed together", () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(delivery, 3)));
    expect(delays.size).toBeGreaterThan(40);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(10_000);
      expect(delay).toBeLessThanOrEqual(20_000);
    }
  });
});

describe("the webhook retry delay", () => {
  const webhook = { backoffMs: 10_000, backoffMaxMs: 3_600_000 };

  it.each([
    [1, 10_000],
    [2, 20_000],
    [5, 160_000],
    [9, 2_560_000],
    [10, 3_600_000],
    [11, 3_600_000],
  ])("after %i failed attempts is drawn between half of %i ms and all of it", (failed, ceiling) => {
    expect(backoffDelayMs(webhook, failed, () => 0)).toBe(ceiling / 2);
    expect(backoffDelayMs(webhook, failed, () => 1)).toBe(ceiling);
  });
});
