import { type RetryPolicy, retryDelayMs } from "../../src/worker/retry-policy";

const policy: RetryPolicy = {
  attempts: 10,
  backoffMs: 5_000,
  backoffMaxMs: 600_000,
  retryAmbiguous: true,
};

describe("retry delays", () => {
  it("double from DELIVERY_BACKOFF, drawn between half and the whole of each step", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(policy, n, () => 0))).toEqual([
      2_500, 5_000, 10_000, 20_000,
    ]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(policy, n, () => 1))).toEqual([
      5_000, 10_000, 20_000, 40_000,
    ]);
  });

  it("stop growing at DELIVERY_BACKOFF_MAX", () => {
    expect(retryDelayMs(policy, 9, () => 1)).toBe(600_000);
    expect(retryDelayMs(policy, 30, () => 0)).toBe(300_000);
  });

  it("spread jobs that failed together", () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(policy, 3)));
    expect(delays.size).toBeGreaterThan(40);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(10_000);
      expect(delay).toBeLessThanOrEqual(20_000);
    }
  });
});
