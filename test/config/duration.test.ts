import { formatDuration } from "../../src/config/duration";

describe("formatDuration", () => {
  it.each([
    [86_400_000, "24h"],
    [900_000, "15m"],
    [90_000, "90s"],
    [1_500, "1500ms"],
    [0, "0ms"],
  ])("writes %d ms as a setting: %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(formatDuration(ms, "setting")).toBe(text);
  });

  it.each([
    [3_000, "3s"],
    [2_100, "3s"],
    [185_000, "3m05s"],
    [7_800_000, "2h10m"],
  ])("writes %d ms left, rounded up: %s", (ms, text) => {
    expect(formatDuration(ms, "remaining")).toBe(text);
  });

  it.each([
    [0, "0.0 s"],
    [4_321, "4.3 s"],
    [59_940, "59.9 s"],
    [125_000, "2 min 5 s"],
  ])("writes %d ms taken: %s", (ms, text) => {
    expect(formatDuration(ms, "elapsed")).toBe(text);
  });
});

describe("formatDuration in seconds", () => {
  it.each([
    [86_400_000, "86400 s"],
    [1_500, "1.5 s"],
    [1, "0.001 s"],
    [1_234.4, "1.234 s"],
    [0, "0 s"],
  ])("writes %d ms as %s", (ms, text) => {
    expect(formatDuration(ms, "seconds")).toBe(text);
  });
});

describe("formatDuration at the edges of a unit", () => {
  it.each([
    [59_500, "1m00s"],
    [119_500, "2m00s"],
    [3_599_500, "1h00m"],
  ])("never writes 60 seconds: %d ms left is %s", (ms, text) => {
    expect(formatDuration(ms, "remaining")).toBe(text);
  });

  it.each([
    [59_960, "1 min 0 s"],
    [119_600, "2 min 0 s"],
    [60_000, "1 min 0 s"],
  ])("never writes 60 seconds: %d ms taken is %s", (ms, text) => {
    expect(formatDuration(ms, "elapsed")).toBe(text);
  });
});
