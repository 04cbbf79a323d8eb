import { delayedLeft, progressBar } from "../../src/cli/progress-bar";

describe("the progress bar of a batch", () => {
  it("fills with what was delivered and promises an ETA from the rate while work is ready", () => {
    expect(progressBar(50, 100, 10, { ready: 50, delayed: 0 }, 10)).toBe(
      "[█████░░░░░]  50%  50/100  10/s ETA 5s",
    );
  });

  it("promises no ETA at a rate of nothing", () => {
    expect(progressBar(0, 100, 0, { ready: 100, delayed: 0 }, 10)).toBe(
      "[░░░░░░░░░░]   0%  0/100  0/s",
    );
  });

  it("promises nothing while the rest waits out its back-off: says when the next is due", () => {
    // 90 delivered, 10 failed for good would be "done"; here 10 retries wait 25 s.
    expect(progressBar(90, 100, 40, { ready: 0, delayed: 10, nextDueInMs: 24_100 }, 10)).toBe(
      "[█████████░]  90%  90/100  40/s 10 delayed, next due in 25s",
    );
  });

  it("promises no ETA from the rate when some of what is left is delayed", () => {
    expect(progressBar(10, 100, 40, { ready: 80, delayed: 10, nextDueInMs: 3_600_000 }, 10)).toBe(
      "[█░░░░░░░░░]  10%  10/100  40/s 10 delayed, next due in 1h00m",
    );
  });

  it("says a delayed delivery is due now once its time has come, and nothing when unknown", () => {
    expect(delayedLeft(3, 0)).toBe("3 delayed, next due now");
    expect(delayedLeft(3, -500)).toBe("3 delayed, next due now");
    expect(delayedLeft(1, 1)).toBe("1 delayed, next due in 1s");
    expect(delayedLeft(2, undefined)).toBe("2 delayed");
  });

  it("without what is left, reads it from the total", () => {
    expect(progressBar(75, 100, 25, undefined, 4)).toBe("[███░]  75%  75/100  25/s ETA 1s");
  });
});
