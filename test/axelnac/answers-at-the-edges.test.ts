/**
 * The answers between the rows of the outcome table: status codes at the edge of a class, bodies
 * that are JSON but not what the API sends, Retry-After values of more than one digit.
 */
import {
  type AxelnacError,
  classifyLoginReply,
  classifySendReply,
  isAxelnacError,
  parseRetryAfter,
  type Reply,
} from "../../src/axelnac";
import { applianceMessage, MESSAGE_LIMIT, parseBody, scrub } from "../../src/axelnac/body";

const NOW = Date.parse("2025-04-01T12:00:00Z");

function reply(status: number, text: string, headers: Reply["headers"] = {}): Reply {
  return { status, headers, body: parseBody(text) };
}

function sendOutcome(r: Reply): { code: string; message: string } | { delivered: number } {
  const outcome = classifySendReply(r, "guest-1", NOW);
  return isAxelnacError(outcome)
    ? { code: outcome.code, message: outcome.message }
    : { delivered: outcome.status };
}

function loginError(r: Reply): AxelnacError {
  const outcome = classifyLoginReply(r, NOW);
  if (!isAxelnacError(outcome)) throw new Error(`expected an error, got token ${outcome}`);
  return outcome;
}

describe("status codes at the edge of a class", () => {
  it.each([
    [100, "AXELNAC_UNEXPECTED_RESPONSE"],
    [199, "AXELNAC_UNEXPECTED_RESPONSE"],
    [300, "AXELNAC_WRONG_SERVICE"],
    [302, "AXELNAC_WRONG_SERVICE"],
    [399, "AXELNAC_WRONG_SERVICE"],
    [400, "AXELNAC_INVALID_REQUEST"],
    [499, "AXELNAC_INVALID_REQUEST"],
    [500, "AXELNAC_SMS_PROVIDER_FAILED"],
    [501, "AXELNAC_SERVER_ERROR"],
    [505, "AXELNAC_SERVER_ERROR"],
    [599, "AXELNAC_SERVER_ERROR"],
  ])("a send answered %i is %s, never a delivery", (status, code) => {
    expect(sendOutcome(reply(status, '{"message":"m"}'))).toMatchObject({ code });
  });

  it.each([200, 250, 299])("a send answered %i is delivered", (status) => {
    expect(sendOutcome(reply(status, "{}"))).toEqual({ delivered: status });
  });

  it("names an unexpected status in its message", () => {
    expect(sendOutcome(reply(199, '{"message":"early"}'))).toEqual({
      code: "AXELNAC_UNEXPECTED_RESPONSE",
      message:
        'send_user_credentials for pid "guest-1" got unexpected status 199 early (AXELNAC_UNEXPECTED_RESPONSE)',
    });
  });

  it("names where a redirect pointed, quoted and cut to length", () => {
    const to = (location: string | string[] | undefined) =>
      sendOutcome(reply(302, "", location === undefined ? {} : { location }));
    expect(to("https://nac.example/api/v1/sms_gateways/send_user_credentials")).toEqual({
      code: "AXELNAC_WRONG_SERVICE",
      message:
        'send_user_credentials for pid "guest-1" was redirected (302) to "https://nac.example/api/v1/sms_gateways/send_user_credentials": AXELNAC_URL likely points at the wrong address, or at another service than the AxelNAC API (AXELNAC_WRONG_SERVICE)',
    });
    expect(to(["/portal", "/other"])).toMatchObject({
      message: expect.stringContaining('to "/portal"'),
    });
    expect(to(undefined)).toMatchObject({
      message: expect.stringContaining("was redirected (302) without a Location:"),
    });
    const long = to(`/${"x".repeat(MESSAGE_LIMIT + 50)}\u001b[2J`);
    expect(long).toMatchObject({
      message: expect.stringContaining(`"/${"x".repeat(MESSAGE_LIMIT - 1)}…"`),
    });
    expect(to("/a\u001b[2Jb")).toMatchObject({
      message: expect.stringContaining('"/a\\u001b[2Jb"'),
    });
  });

  it.each([
    [300, "AXELNAC_WRONG_SERVICE"],
    [500, "AXELNAC_SERVER_ERROR"],
    [503, "AXELNAC_UNREACHABLE"],
    [429, "AXELNAC_THROTTLED"],
    [404, "AXELNAC_ENDPOINT_MISSING"],
  ])("a login answered %i is %s", (status, code) => {
    expect(loginError(reply(status, "")).code).toBe(code);
  });

  it("a 2xx login without a token says so without quoting the body", () => {
    const error = loginError(reply(201, '{"tok":"secret-looking"}'));
    expect(error.code).toBe("AXELNAC_UNEXPECTED_RESPONSE");
    expect(error.message).toBe("login answered 201 without a token (AXELNAC_UNEXPECTED_RESPONSE)");
  });
});

describe("bodies that are JSON but not the API's", () => {
  it("a JSON null body: not the API's answer; a failure with no appliance message", () => {
    expect(sendOutcome(reply(200, "null"))).toMatchObject({ code: "AXELNAC_WRONG_SERVICE" });
    expect(classifySendReply(reply(200, "{}"), "guest-1", NOW)).toEqual({
      status: 200,
      message: "",
    });
    expect(sendOutcome(reply(500, "null"))).toEqual({
      code: "AXELNAC_SMS_PROVIDER_FAILED",
      message: 'send_user_credentials for pid "guest-1" failed: 500 (AXELNAC_SMS_PROVIDER_FAILED)',
    });
  });

  it("a 404 with JSON but no message is this guest's, not a missing endpoint", () => {
    expect(sendOutcome(reply(404, '{"status":404}'))).toMatchObject({
      code: "AXELNAC_GUEST_NOT_FOUND",
    });
    expect(sendOutcome(reply(404, "null"))).toMatchObject({ code: "AXELNAC_GUEST_NOT_FOUND" });
  });

  it("a 404 whose message is not the router's is this guest's", () => {
    expect(sendOutcome(reply(404, '{"message":"Not an Unknown path"}'))).toMatchObject({
      code: "AXELNAC_GUEST_NOT_FOUND",
    });
  });

  it("keeps a message that is not a string out of the error", () => {
    expect(applianceMessage(parseBody('{"message":42}'))).toBeUndefined();
    expect(applianceMessage(parseBody('["message"]'))).toBeUndefined();
    expect(applianceMessage(parseBody('"just a string"'))).toBeUndefined();
  });

  it("collapses the whitespace of a text body, and has nothing to say for a blank one", () => {
    expect(applianceMessage(parseBody("Bad\n\n gateway\t"))).toBe("Bad gateway");
    expect(applianceMessage(parseBody(" \n "))).toBeUndefined();
  });

  it("reads an HTML page for its words, and leaves text that only holds a < alone", () => {
    expect(applianceMessage(parseBody("  <h1>Bad\n\n gateway</h1>\t<p>retry</p>"))).toBe(
      "Bad gateway retry",
    );
    expect(applianceMessage(parseBody("<html></html>"))).toBeUndefined();
    expect(applianceMessage(parseBody("<p>one</p><p>two</p>"))).toBe("one two");
    expect(applianceMessage(parseBody("a <b> c"))).toBe("a <b> c");
  });

  it(`truncates a message past ${MESSAGE_LIMIT} characters, not at it`, () => {
    const exact = "m".repeat(MESSAGE_LIMIT);
    expect(applianceMessage(parseBody(JSON.stringify({ message: exact })))).toBe(exact);
    expect(applianceMessage(parseBody(`${exact}xyz`))).toBe(`${exact}…`);
  });
});

describe("Retry-After of more than one digit", () => {
  it.each([
    ["120", 120_000],
    ["86400", 86_400_000],
    ["0", 0],
    ["1.5", 1_500],
    [" 30 ", 30_000],
  ])("reads %j as %d ms", (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it("reads the first of repeated headers", () => {
    expect(parseRetryAfter(["20", "5"], NOW)).toBe(20_000);
  });

  it("reads an HTTP date in the future, to the second", () => {
    expect(parseRetryAfter("Tue, 01 Apr 2025 12:02:00 GMT", NOW)).toBe(120_000);
  });
});

describe("scrub", () => {
  it("replaces every occurrence, and ignores an empty secret", () => {
    expect(scrub("pw and pw again", ["pw", ""])).toBe("[redacted] and [redacted] again");
  });

  it("leaves a text without the secret as it was", () => {
    expect(scrub('{"a":"b"}', ['x"y'])).toBe('{"a":"b"}');
  });
});

describe("Retry-After with decimals", () => {
  it("reads every decimal digit", () => {
    expect(parseRetryAfter("2.25", NOW)).toBe(2_250);
  });
});
