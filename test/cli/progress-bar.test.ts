import {
  delayedLeft,
  progressBar,
  RateMeter,
  shareBar,
  timeLeft,
} from "../../src/cli/progress-bar";

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

describe("a share of a total as a bar", () => {
  it("is full at 100 % when the total is 0: nothing to do is all done", () => {
    expect(shareBar(0, 0, 10)).toBe(`[${"█".repeat(10)}] 100%`);
  });
});

describe("the time left", () => {
  it("is what remains of the total at the rate: 60 left at 20/s, whatever is done", () => {
    expect(timeLeft(40, 100, 20)).toBe(timeLeft(0, 60, 20));
    expect(timeLeft(40, 100, 20)).not.toBe(timeLeft(0, 100, 20));
  });

  it("is not said once nothing is left, nor while the rate is unknown", () => {
    expect(timeLeft(100, 100, 20)).toBeUndefined();
    expect(timeLeft(0, 100, 0)).toBeUndefined();
  });
});

describe("the rate the ETA follows", () => {
  it("is 0 until two samples lie apart in time", () => {
    const meter = new RateMeter();
    expect(meter.add(0, 1_000)).toBe(0);
    expect(meter.add(5, 1_000)).toBe(0);
  });

  it("is the change per second since the oldest sample in the window", () => {
    const meter = new RateMeter(10_000);
    meter.add(0, 0);
    expect(meter.add(50, 1_000)).toBe(50);
    expect(meter.add(100, 2_000)).toBe(50);
  });

  it("drops samples older than the window, so it follows the current pace", () => {
    const meter = new RateMeter(1_000);
    meter.add(0, 0);
    meter.add(10, 500);
    // The sample at 0 is 1,500 ms old: the rate runs from the one at 500 ms.
    expect(meter.add(110, 1_500)).toBe(100);
  });

  it("keeps a sample exactly one window old", () => {
    const meter = new RateMeter(1_000);
    meter.add(0, 10_000);
    meter.add(5, 10_500);
    expect(meter.add(20, 11_000)).toBe(20);
  });

  it("keeps two samples however old the first is: a rate needs two", () => {
    const meter = new RateMeter(100);
    meter.add(0, 0);
    expect(meter.add(10, 1_000)).toBe(10);
  });
});
