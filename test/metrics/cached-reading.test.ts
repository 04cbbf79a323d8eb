/** The scrape-time reading of the queue: shared between scrapes, never piled up on a silent Redis. */
import { cachedReading } from "../../src/metrics/cached-reading";
import { sleep } from "../support/wait";

/** A reading function that counts its calls and answers as told. */
function counted<T>(answer: () => Promise<T>) {
  const calls = { count: 0 };
  const read = () => {
    calls.count++;
    return answer();
  };
  return { read, calls };
}

describe("cachedReading", () => {
  it("serves one reading to a storm of scrapes, and a new one once it is older than maxAgeMs", async () => {
    let value = 1;
    const { read, calls } = counted(async () => value);
    const scrape = cachedReading(read, { maxAgeMs: 300, timeoutMs: 1_000 });
    const storm = await Promise.all(Array.from({ length: 50 }, () => scrape()));
    expect(storm.every((v) => v === 1)).toBe(true);
    expect(await scrape()).toBe(1);
    expect(calls.count).toBe(1);
    value = 2;
    await sleep(350);
    expect(await scrape()).toBe(2);
    expect(calls.count).toBe(2);
  });

  it("goes without (undefined) when the reading fails", async () => {
    const { read } = counted(async () => Promise.reject(new Error("Redis away")));
    expect(await cachedReading(read, { maxAgeMs: 0, timeoutMs: 1_000 })()).toBeUndefined();
  });

  it("goes without after timeoutMs when no answer comes, and starts no second reading while the first waits", async () => {
    let answer: (value: number) => void = () => undefined;
    const { read, calls } = counted(
      () =>
        new Promise<number>((resolve) => {
          answer = resolve;
        }),
    );
    const scrape = cachedReading(read, { maxAgeMs: 5_000, timeoutMs: 100 });
    expect(await scrape()).toBeUndefined();
    expect(await scrape()).toBeUndefined();
    expect(calls.count).toBe(1);
    // The late answer is the reading the next scrapes get.
    answer(7);
    await sleep(10);
    expect(await scrape()).toBe(7);
    expect(calls.count).toBe(1);
  });
});
