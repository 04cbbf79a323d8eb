import { describePause, pauseNote, pauseReason } from "../../src/cli/pause-line";

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
      "paused       12 s more: the appliance is throttling (AXELNAC_THROTTLED): it asked for 86400 s; capped at 300 s by THROTTLE_PAUSE_MAX",
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
    ).toBe(
      "paused       1 s more: the appliance is throttling (AXELNAC_THROTTLED): it asked for 1.5 s",
    );
  });

  it.each([
    ["AXELNAC_UNREACHABLE", "the appliance is unreachable"],
    ["AXELNAC_LOGIN_REJECTED", "the API account was rejected (AXELNAC_USERNAME, AXELNAC_PASSWORD)"],
    ["AXELNAC_ACCESS_DENIED", "the API account lacks the rights to send SMS"],
    ["AXELNAC_TLS_UNTRUSTED", "the appliance's certificate is not trusted"],
    ["AXELNAC_ENDPOINT_MISSING", "the appliance has no SMS endpoint"],
    ["AXELNAC_WRONG_SERVICE", "AXELNAC_URL points at another service"],
    ["AXELNAC_UNEXPECTED_RESPONSE", "something other than the AxelNAC API answers"],
    ["AXELNAC_LOGIN_FAILED", "logins to the appliance fail"],
    ["AXELNAC_LOGIN_BACKOFF", "logins to the appliance fail"],
  ])("says in words why an outage pauses the fleet: %s", (code, words) => {
    expect(describePause({ cause: "unavailable", code, ...timing })).toBe(
      `paused       12 s more: ${words} (${code})`,
    );
    expect(pauseNote({ cause: "unavailable", code, ...timing })).toBe(`paused 12 s more: ${words}`);
  });

  it("reads a code it does not know (a newer worker's) as an outage, shown safely", () => {
    expect(describePause({ cause: "unavailable", code: "NEW\x1b[2J", ...timing })).toBe(
      "paused       12 s more: the appliance is unavailable to every job (NEW\\x1b[2J)",
    );
    expect(pauseReason({ cause: "unavailable", code: "__proto__" })).toBe(
      "the appliance is unavailable to every job",
    );
  });

  it("calls a throttle a throttle in the bar's note", () => {
    expect(
      pauseNote({ cause: "throttled", code: "AXELNAC_THROTTLED", retryAfterMs: 5_000, ...timing }),
    ).toBe("paused 12 s more: the appliance is throttling");
  });
});
