import { RepeatedPids } from "../../src/import/repeated-pids";

const delivery = (pid: string, password: string, source_id = "sms") => ({
  pid,
  password,
  source_id,
});

describe("RepeatedPids", () => {
  it("names the line of a pid seen before with another password or source", () => {
    const seen = new RepeatedPids();
    expect(seen.earlierLine(delivery("ann", "Pw-1"), 2)).toBeUndefined();
    expect(seen.earlierLine(delivery("bob", "Pw-1"), 3)).toBeUndefined();
    expect(seen.earlierLine(delivery("ann", "Pw-2"), 4)).toBe(2);
    expect(seen.earlierLine(delivery("ann", "Pw-1", "sms-2"), 5)).toBe(2);
    // The first row is the one kept: a later row like it is a plain duplicate, left to Redis.
    expect(seen.earlierLine(delivery("ann", "Pw-1"), 6)).toBeUndefined();
    expect(seen.earlierLine(delivery("ann", "Pw-2"), 7)).toBe(2);
    expect(seen.earlierLine(delivery("bob", "Pw-1"), 8)).toBeUndefined();
  });

  it("tells fields apart where they meet", () => {
    const seen = new RepeatedPids();
    expect(seen.earlierLine(delivery("ann", "ab", "c"), 2)).toBeUndefined();
    expect(seen.earlierLine(delivery("ann", "a", "bc"), 3)).toBe(2);
  });

  it("keeps every pid as it grows, with bounded memory per pid", () => {
    const seen = new RepeatedPids();
    const count = 20_000;
    const wrong: number[] = [];
    for (let i = 0; i < count; i++) {
      if (seen.earlierLine(delivery(`guest${i}`, `Pw-${i}`), i + 2) !== undefined) wrong.push(i);
    }
    for (let i = 0; i < count; i++) {
      const again = seen.earlierLine(delivery(`guest${i}`, `Pw-${i}`), count + i + 2);
      const other = seen.earlierLine(delivery(`guest${i}`, "other"), 2 * count + i + 2);
      if (again !== undefined || other !== i + 2) wrong.push(i);
    }
    expect(wrong).toEqual([]);
    expect(seen.size).toBe(count);
    // 16-byte slots, at most three quarters full, at least three eighths: no pid text is kept.
    expect(seen.bytes).toBeLessThanOrEqual((16 * 8 * count) / 3);
    expect(seen.bytes).toBeGreaterThanOrEqual(16 * count);
  });

  it("doubles its table once it is three quarters full, not before", () => {
    const seen = new RepeatedPids();
    for (let i = 0; i < 768; i++) seen.earlierLine(delivery(`guest${i}`, "pw"), i + 2);
    expect(seen.bytes).toBe(1024 * 16);
    seen.earlierLine(delivery("one-more", "pw"), 1_000);
    expect(seen.bytes).toBe(2048 * 16);
    expect(seen.earlierLine(delivery("guest0", "other"), 1_001)).toBe(2);
  });
});
