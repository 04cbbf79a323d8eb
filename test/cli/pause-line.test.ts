import { describePause } from "../../src/cli/pause-line";

const timing = { remainingMs: 11_200, endsAt: "2026-12-02T10:00:00.000Z" };

describe("the line status prints while the fleet is paused", () => {
  it("names a capped throttle, what the appliance asked for and the cap", () => {
    expect(
      describePause({
        cause: "throttled",
        code: "AXELNAC_THROTTLED",
        retryAfterMs: 86_400_000,
        cappedAtMs: 300_000,
        ...timing,
      }),
    ).toBe(
      "paused       12 s more: AXELNAC_THROTTLED (the appliance asked for 86400 s; capped at 300 s by THROTTLE_PAUSE_MAX)",
    );
  });

  it("names a throttle within the cap, to the millisecond", () => {
    expect(
      describePause({
        cause: "throttled",
        code: "AXELNAC_THROTTLED",
        retryAfterMs: 1_500,
        ...timing,
        remainingMs: 1,
      }),
    ).toBe("paused       1 s more: AXELNAC_THROTTLED (the appliance asked for 1.5 s)");
  });

  it("names an unavailable appliance by its outcome code", () => {
    expect(describePause({ cause: "unavailable", code: "AXELNAC_LOGIN_REJECTED", ...timing })).toBe(
      "paused       12 s more: AXELNAC_LOGIN_REJECTED (AxelNAC unavailable to every job)",
    );
  });
});
