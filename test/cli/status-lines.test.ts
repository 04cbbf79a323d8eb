import {
  describeCounts,
  describeReport,
  describeWorkers,
  hasWorkLeft,
  NO_WORKER,
  type StatusReport,
  TOTAL_UNKNOWN,
  terminalLine,
} from "../../src/cli/status-lines";

const NOW = Date.parse("2026-12-03T12:00:00.000Z");

function report(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    batch: "expo",
    total: 10,
    waiting: 4,
    delayed: 0,
    active: 0,
    delivered: 4,
    failed: 2,
    cancelled: 0,
    paused: false,
    pause: null,
    workers: 2,
    ...overrides,
  };
}

describe("what status says", () => {
  it("names a batch's cancelled deliveries and its pause on the counts' line, and neither when none", () => {
    const line = (r: StatusReport) => describeReport(r).split("\n")[0];
    expect(line(report())).toMatch(/scheduled 0$/);
    expect(line(report({ cancelled: 3, paused: true }))).toMatch(
      /scheduled 0 {2}cancelled 3 {2}\(paused\)$/,
    );
  });

  it("draws the bar of what was delivered: failed deliveries are beside it, not done", () => {
    expect(terminalLine(report(), 2, NOW)).toBe(
      `[${"█".repeat(12)}${"░".repeat(18)}]  40%  4/10  2/s ETA 2s  failed 2`,
    );
  });

  it("says in the bar why and how long the fleet is paused", () => {
    const pause = {
      cause: "unavailable",
      code: "AXELNAC_ACCESS_DENIED",
      remainingMs: 7_500,
      endsAt: "2026-12-03T12:00:07.500Z",
      reason: "as the status read it",
    } as const;
    expect(terminalLine(report({ pause }), 0, NOW)).toMatch(
      /\] {2}40% {2}4\/10 {2}0\/s {2}failed 2 {2}paused 8 s more: the API account lacks the rights to send SMS$/,
    );
    const throttle = {
      cause: "throttled",
      code: "AXELNAC_THROTTLED",
      retryAfterMs: 30_000,
      remainingMs: 29_000,
      endsAt: "2026-12-03T12:00:29.000Z",
      reason: "as the status read it",
    } as const;
    expect(terminalLine(report({ pause: throttle }), 0, NOW)).toMatch(
      / {2}paused 29 s more: the appliance is throttling$/,
    );
  });

  it("says when the retries left are due instead of an ETA", () => {
    const retrying = report({ waiting: 0, delayed: 4, nextDueAt: "2026-12-03T12:00:25.000Z" });
    expect(terminalLine(retrying, 50, NOW)).toMatch(
      / {2}4\/10 {2}50\/s 4 delayed, next due in 25s {2}failed 2$/,
    );
  });

  it("says no worker is connected rather than draw a bar that cannot move", () => {
    expect(terminalLine(report({ workers: 0 }), 0, NOW)).toBe(
      `${NO_WORKER}  (delivered 4/10  failed 2)`,
    );
    expect(describeWorkers(report({ workers: 0 }))).toBe(`workers      ${NO_WORKER}`);
    // Nothing left to deliver: nothing is held back.
    const done = report({ workers: 0, waiting: 0, delivered: 8 });
    expect(describeWorkers(done)).toBe("workers      none connected");
    expect(terminalLine(done, 0, NOW)).toMatch(/^\[/);
    // Onboarded guests whose accounts are pending still need a worker.
    const accounts = { guests: 3, created: 0, reset: 0, existing: 0, refused: 0, pending: 3 };
    expect(describeWorkers({ ...done, accounts })).toBe(`workers      ${NO_WORKER}`);
  });

  it("counts the workers", () => {
    expect(describeWorkers(report())).toBe("workers      2 connected");
  });

  it("says a plain producer's batch has no known total", () => {
    expect(describeReport(report({ totalKnown: false })).split("\n")[1]).toBe(
      `${"".padEnd(28)} total unknown: jobs added by a plain producer are counted when a worker takes them (10 so far)`,
    );
  });
});

describe("the counts' lines", () => {
  const counts = (overrides: Partial<StatusReport> = {}) => describeCounts(report(overrides));

  it("names the batch, or the whole queue", () => {
    expect(counts()).toMatch(/^batch expo {19}total 10 {2}delivered 4/);
    expect(counts({ batch: null })).toMatch(/^queue \(all jobs\) {13}total 10 {2}/);
  });

  it("says a total is unknown only for a batch whose total is not known", () => {
    expect(counts().split("\n")).toHaveLength(1);
    expect(counts({ totalKnown: true }).split("\n")).toHaveLength(1);
    expect(counts({ totalKnown: false }).split("\n")[1]).toBe(
      `${"".padEnd(28)} ${TOTAL_UNKNOWN} (10 so far)`,
    );
  });

  it("adds an onboarded batch's accounts on a line of their own", () => {
    const accounts = { guests: 9, created: 5, reset: 1, existing: 2, refused: 1, pending: 0 };
    expect(counts({ accounts }).split("\n")[1]).toBe(
      `${"".padEnd(28)} accounts: guests 9  created 5  reset 1  existing 2  refused 1  pending 0`,
    );
  });
});

describe("work left for a worker", () => {
  const idle = { waiting: 0, delayed: 0, active: 0 };
  it.each([
    ["waiting", { ...idle, waiting: 1 }],
    ["scheduled", { ...idle, delayed: 1 }],
    ["in flight", { ...idle, active: 1 }],
    [
      "accounts pending",
      {
        ...idle,
        accounts: { guests: 1, created: 0, reset: 0, existing: 0, refused: 0, pending: 1 },
      },
    ],
  ])("is there while one is %s", (_, overrides) => {
    expect(hasWorkLeft(report(overrides))).toBe(true);
  });

  it("is not there when nothing is waiting, scheduled, in flight or pending", () => {
    expect(hasWorkLeft(report(idle))).toBe(false);
  });
});
