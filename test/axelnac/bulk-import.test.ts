import {
  AccessDeniedError,
  AmbiguousOutcomeError,
  ApplianceUnreachableError,
  bulkImportAnswerBytes,
  classifyBulkImportReply,
  type GuestAccountResult,
  isAxelnacError,
  ProviderFailedError,
  type Reply,
  ThrottledError,
  UnexpectedResponseError,
  WrongServiceError,
} from "../../src/axelnac";
import { parseBody } from "../../src/axelnac/body";

const NOW = Date.parse("2026-12-03T12:00:00Z");

function reply(status: number, body: unknown, headers: Reply["headers"] = {}): Reply {
  return {
    status,
    headers,
    body: parseBody(typeof body === "string" ? body : JSON.stringify(body)),
  };
}

function results(body: unknown, sent: number): GuestAccountResult[] {
  const outcome = classifyBulkImportReply(reply(200, body), sent, NOW);
  if (isAxelnacError(outcome)) throw new Error(`expected results, got ${outcome.message}`);
  return outcome;
}

function failure(r: Reply, sent = 2) {
  const outcome = classifyBulkImportReply(r, sent, NOW);
  if (!isAxelnacError(outcome))
    throw new Error(`expected an error, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe("how much of a bulk import's answer is kept", () => {
  it("is the usual 64 KiB and 8 KiB a guest on top", () => {
    expect(bulkImportAnswerBytes(0)).toBe(65_536);
    expect(bulkImportAnswerBytes(1)).toBe(65_536 + 8_192);
    expect(bulkImportAnswerBytes(250)).toBe(65_536 + 250 * 8_192);
  });
});

describe("users bulk_import answers, item by item (docs/axelnac-api.md §9)", () => {
  it("reads each result in order: saved with its password and whether it is new, skipped as existing, refused with the appliance's reasons", () => {
    const body = {
      status: 200,
      items: [
        { item: { pid: "a" }, status: 200, password: "kesobuna", isNew: true },
        { item: { pid: "b" }, status: 200, password: "Pw-given-1", isNew: false },
        { item: { pid: "c" }, status: 409, message: "Skip already exists", isNew: false },
        {
          item: { pid: "d" },
          status: 422,
          message: "Cannot save user",
          errors: [
            { field: "email", message: "invalid format" },
            { field: "pid", message: "Invalid PID (%)" },
          ],
        },
        { item: { pid: "e" }, status: 424, message: "Skipped" },
        { item: { pid: "f" }, status: 422, message: "Cannot save user" },
      ],
    };
    expect(results(body, 6)).toEqual([
      { status: "saved", isNew: true, password: "kesobuna" },
      { status: "saved", isNew: false, password: "Pw-given-1" },
      { status: "exists" },
      { status: "refused", reason: "email: invalid format; pid: Invalid PID (%)" },
      { status: "other", httpStatus: 424, reason: "Skipped" },
      { status: "refused", reason: "Cannot save user" },
    ]);
  });

  it("takes Perl's 1 for true in isNew, and anything else for false", () => {
    const body = {
      items: [
        { status: 200, password: "p1", isNew: 1 },
        { status: 200, password: "p2", isNew: 0 },
        { status: 200, password: "p3" },
      ],
    };
    expect(results(body, 3).map((r) => r.status === "saved" && r.isNew)).toEqual([
      true,
      false,
      false,
    ]);
  });

  it("a reason without message or errors says the status; a long one is cut", () => {
    const long = "x".repeat(500);
    const [bare, cut] = results({ items: [{ status: 500 }, { status: 422, message: long }] }, 2);
    expect(bare).toEqual({ status: "other", httpStatus: 500, reason: "status 500" });
    expect(cut).toEqual({ status: "refused", reason: `${"x".repeat(200)}…` });
  });

  it("an error entry without a field gives its message alone", () => {
    const [only] = results({ items: [{ status: 422, errors: [{ message: "bad" }, "junk"] }] }, 1);
    expect(only).toEqual({ status: "refused", reason: "bad" });
  });

  it("fewer or more results than guests sent, or no list, is an unexpected answer naming both counts", () => {
    for (const [body, got] of [
      [{ items: [{ status: 200, password: "p" }] }, "1 results"],
      [{ items: [] }, "0 results"],
      [{ status: 200 }, "no list of results"],
      [{ items: "x" }, "no list of results"],
    ] as const) {
      const error = failure(reply(200, body), 2);
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error.message).toBe(
        `users bulk_import of 2 guests answered 200 with ${got} for 2 guests (AXELNAC_UNEXPECTED_RESPONSE)`,
      );
    }
  });

  it("a saved item without a password, or a result that is not an object with a status, is unreadable, naming the item", () => {
    for (const item of [{ status: 200 }, { status: 200, password: "" }, "x", { status: "200" }]) {
      const error = failure(reply(200, { items: [{ status: 409 }, item] }), 2);
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error.message).toBe(
        "users bulk_import of 2 guests answered 200 with an unreadable result for item 2 (AXELNAC_UNEXPECTED_RESPONSE)",
      );
      expect(error.operation).toBe("bulk_import");
    }
  });

  it("a 2xx that is not the API's JSON is the wrong service", () => {
    const error = failure(reply(200, "<html>portal</html>"), 1);
    expect(error).toBeInstanceOf(WrongServiceError);
    expect(error.message).toContain("users bulk_import of 1 guest answered 200 with an HTML page");
  });

  it("an account without the users-create role is refused (403): systemic, the fleet pauses", () => {
    const error = failure(reply(403, { message: "Forbidden", status: 403 }));
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(error.failureClass).toBe("systemic");
    expect(error.message).toBe(
      "users bulk_import of 2 guests rejected: 403 Forbidden (AXELNAC_ACCESS_DENIED)",
    );
  });

  it("a proxy's 502 or 504 leaves unknown whether the guests were saved; a 503 means the appliance is away", () => {
    expect(failure(reply(502, "Bad Gateway"))).toBeInstanceOf(AmbiguousOutcomeError);
    expect(failure(reply(504, "Gateway Timeout"))).toBeInstanceOf(AmbiguousOutcomeError);
    expect(failure(reply(503, "down"))).toBeInstanceOf(ApplianceUnreachableError);
  });

  it("a 500 (Perl died part-way, earlier items saved) is a server error to retry; a 429 throttles", () => {
    const died = failure(reply(500, { message: "Not an ARRAY reference", status: 500 }));
    expect(died).toBeInstanceOf(ProviderFailedError);
    expect(died.code).toBe("AXELNAC_SERVER_ERROR");
    const throttled = failure(reply(429, { message: "slow down" }, { "retry-after": "7" }));
    expect(throttled).toBeInstanceOf(ThrottledError);
    expect(throttled.retryAfterMs).toBe(7_000);
  });
});
