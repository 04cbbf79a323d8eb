import {
  failureReason,
  INTERNAL_FAILURE,
  isFailure,
  isFailureClass,
  reasonCode,
  reasonParts,
  toFailure,
} from "../../src/outcome";

describe("failure classes", () => {
  it.each([
    "token_rejected",
    "systemic",
    "permanent",
    "throttled",
    "retryable",
    "unreachable",
    "ambiguous",
  ])("knows %s", (name) => {
    expect(isFailureClass(name)).toBe(true);
  });

  it.each(["", "Permanent", "fatal", 1, null, undefined])("refuses %p", (value) => {
    expect(isFailureClass(value)).toBe(false);
  });
});

describe("isFailure", () => {
  const failure = { code: "AXELNAC_THROTTLED", failureClass: "throttled", message: "slow down" };

  it("recognises anything with a code, a known class and a message", () => {
    expect(isFailure(failure)).toBe(true);
    expect(isFailure(Object.assign(new Error("slow down"), failure))).toBe(true);
  });

  it.each([
    ["no code", { ...failure, code: undefined }],
    ["a numeric code", { ...failure, code: 429 }],
    ["an unknown class", { ...failure, failureClass: "later" }],
    ["no message", { ...failure, message: undefined }],
    ["null", null],
    ["a string", "AXELNAC_THROTTLED"],
    ["a plain Error", new Error("boom")],
  ])("refuses %s", (_what, value) => {
    expect(isFailure(value)).toBe(false);
  });
});

describe("toFailure", () => {
  it("keeps a failure's code, class, message and wait, and nothing else it does not know", () => {
    const error = Object.assign(new Error("slow down"), {
      code: "AXELNAC_THROTTLED",
      failureClass: "throttled",
      retryAfterMs: 7_000,
      details: { secret: "x" },
    });
    expect(toFailure(error)).toEqual({
      code: "AXELNAC_THROTTLED",
      failureClass: "throttled",
      message: "slow down",
      retryAfterMs: 7_000,
    });
  });

  it("keeps the appliance's status and message, for the delivery history", () => {
    const error = Object.assign(new Error("send rejected: 404 no such user"), {
      code: "AXELNAC_GUEST_NOT_FOUND",
      failureClass: "permanent",
      status: 404,
      applianceMessage: "no such user",
    });
    expect(toFailure(error)).toEqual({
      code: "AXELNAC_GUEST_NOT_FOUND",
      failureClass: "permanent",
      message: "send rejected: 404 no such user",
      status: 404,
      applianceMessage: "no such user",
    });
  });

  it("leaves out a wait the failure does not have", () => {
    const error = { code: "AXELNAC_UNREACHABLE", failureClass: "unreachable", message: "down" };
    expect(Object.keys(toFailure(error))).toEqual(["code", "failureClass", "message"]);
  });

  it("makes an unclassified throw an internal error by default, with its own message", () => {
    expect(toFailure(new TypeError("x is undefined"))).toEqual({
      ...INTERNAL_FAILURE,
      message: "x is undefined",
    });
    expect(INTERNAL_FAILURE).toEqual({ code: "COURIER_INTERNAL_ERROR", failureClass: "retryable" });
  });

  it("takes the caller's code and class for an unclassified throw", () => {
    const otherwise = { code: "AXELNAC_LOGIN_FAILED", failureClass: "unreachable" } as const;
    expect(toFailure(new Error("bug"), otherwise)).toEqual({ ...otherwise, message: "bug" });
  });

  it("describes a thrown value that is not an error", () => {
    expect(toFailure("plain text").message).toBe("plain text");
    expect(toFailure(undefined).message).toBe("undefined");
    expect(toFailure({ message: 42 }).message).toBe("[object Object]");
  });
});

describe("reasons", () => {
  it("start with the code, and carry a note in parentheses", () => {
    const failure = { code: "AXELNAC_SMS_PROVIDER_FAILED", message: "500 provider down" } as const;
    expect(failureReason(failure)).toBe("AXELNAC_SMS_PROVIDER_FAILED: 500 provider down");
    expect(failureReason(failure, "gave up after 3 attempts")).toBe(
      "AXELNAC_SMS_PROVIDER_FAILED: 500 provider down (gave up after 3 attempts)",
    );
    expect(failureReason(failure, "")).toBe("AXELNAC_SMS_PROVIDER_FAILED: 500 provider down");
  });

  it.each([
    ["AXELNAC_SMS_PROVIDER_FAILED: 500 (gave up after 3 attempts)", "AXELNAC_SMS_PROVIDER_FAILED"],
    ["COURIER_INVALID_JOB: invalid job: pid: is required", "COURIER_INVALID_JOB"],
    ["X1_Y2: message", "X1_Y2"],
    ["job stalled more than allowable limit", undefined],
    ["AXELNAC: no underscore", undefined],
    ["axelnac_lower: case", undefined],
    ["AXELNAC_SMS_PROVIDER_FAILED:no space", undefined],
    [" AXELNAC_THROTTLED: leading space", undefined],
    ["_AXELNAC: leading underscore", undefined],
  ])("reads the code of %j as %p", (reason, code) => {
    expect(reasonCode(reason)).toBe(code);
  });

  it.each([
    [
      "AXELNAC_GUEST_NOT_FOUND: send_user_credentials rejected: 404 no such user (AXELNAC_GUEST_NOT_FOUND)",
      "AXELNAC_GUEST_NOT_FOUND",
      "send_user_credentials rejected: 404 no such user",
    ],
    [
      "AXELNAC_SMS_PROVIDER_FAILED: send failed: 500 (AXELNAC_SMS_PROVIDER_FAILED) (gave up after 3 attempts)",
      "AXELNAC_SMS_PROVIDER_FAILED",
      "send failed: 500 (gave up after 3 attempts)",
    ],
    [
      "COURIER_INVALID_JOB: invalid job: pid: is required",
      "COURIER_INVALID_JOB",
      "invalid job: pid: is required",
    ],
    // Another code in brackets is the appliance's or a cause's words, and stays.
    ["X1_Y2: refused (OTHER_CODE)", "X1_Y2", "refused (OTHER_CODE)"],
    ["job stalled more than allowable limit", undefined, "job stalled more than allowable limit"],
  ])("splits %j into its code, said once, and its message", (reason, code, message) => {
    expect(reasonParts(reason)).toEqual({ code, message });
  });
});
