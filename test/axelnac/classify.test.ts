import {
  AccessDeniedError,
  AmbiguousOutcomeError,
  ApplianceUnreachableError,
  type AxelnacError,
  classifyLoginReply,
  classifySendReply,
  classifyTokenInfoReply,
  classifyTransportFailure,
  classifyUserReply,
  DEFAULT_RETRY_AFTER_MS,
  EndpointMissingError,
  isAxelnacError,
  LoginRejectedError,
  ProviderFailedError,
  parseRetryAfter,
  type Reply,
  RequestRejectedError,
  ThrottledError,
  TlsUntrustedError,
  TokenRejectedError,
  UnexpectedResponseError,
  WrongServiceError,
} from "../../src/axelnac";
import { parseBody, scrub } from "../../src/axelnac/body";

const NOW = Date.parse("2025-04-01T12:00:00Z");

function reply(status: number, body: unknown, headers: Reply["headers"] = {}): Reply {
  return {
    status,
    headers,
    body: parseBody(typeof body === "string" ? body : JSON.stringify(body)),
  };
}

function sendError(r: Reply): AxelnacError {
  const outcome = classifySendReply(r, "guest-1", NOW);
  if (!isAxelnacError(outcome))
    throw new Error(`expected an error, got ${JSON.stringify(outcome)}`);
  return outcome;
}

function loginError(r: Reply): AxelnacError {
  const outcome = classifyLoginReply(r, NOW);
  if (!isAxelnacError(outcome)) throw new Error("expected an error, got a token");
  return outcome;
}

const perl = (status: number, message: string) => ({ message, errors: [], status });

describe("classifySendReply: the outcome table", () => {
  it.each([
    [200, perl(200, "Successfully sent"), "Successfully sent"],
    [201, {}, ""],
  ])("%i → delivered", (status, body, message) => {
    expect(classifySendReply(reply(status, body), "guest-1", NOW)).toEqual({ status, message });
  });

  it.each<[number, unknown, new (...args: never[]) => AxelnacError, string, string]>([
    [
      401,
      { message: "Invalid token. Login again using /api/v1/login" },
      TokenRejectedError,
      "AXELNAC_TOKEN_REJECTED",
      "token_rejected",
    ],
    [
      401,
      { message: "Invalid token info" },
      TokenRejectedError,
      "AXELNAC_TOKEN_REJECTED",
      "token_rejected",
    ],
    [
      403,
      { message: "Unauthorized access, lacking the SMS_GATEWAYS_CREATE administrative role" },
      AccessDeniedError,
      "AXELNAC_ACCESS_DENIED",
      "systemic",
    ],
    [
      404,
      perl(404, "Unknown path /api/v1/sms_gateways/send_user_credentials"),
      EndpointMissingError,
      "AXELNAC_ENDPOINT_MISSING",
      "systemic",
    ],
    [
      404,
      "<html><body>Not Found</body></html>",
      EndpointMissingError,
      "AXELNAC_ENDPOINT_MISSING",
      "systemic",
    ],
    [
      404,
      perl(404, "Unable to get resource with this identifier"),
      RequestRejectedError,
      "AXELNAC_GUEST_NOT_FOUND",
      "permanent",
    ],
    [
      400,
      "json: cannot unmarshal string",
      RequestRejectedError,
      "AXELNAC_INVALID_REQUEST",
      "permanent",
    ],
    [
      422,
      perl(422, "Missing 'source_id' parameter"),
      RequestRejectedError,
      "AXELNAC_INVALID_REQUEST",
      "permanent",
    ],
    [409, perl(409, "Conflict"), RequestRejectedError, "AXELNAC_INVALID_REQUEST", "permanent"],
    [429, perl(429, "Too many requests"), ThrottledError, "AXELNAC_THROTTLED", "throttled"],
    [
      500,
      perl(500, "Failed to send SMS. Check server side logs for details"),
      ProviderFailedError,
      "AXELNAC_SMS_PROVIDER_FAILED",
      "retryable",
    ],
    [501, perl(501, "Not implemented"), ProviderFailedError, "AXELNAC_SERVER_ERROR", "retryable"],
    [507, "", ProviderFailedError, "AXELNAC_SERVER_ERROR", "retryable"],
    [
      502,
      { status: 502, message: "Proxy Error" },
      AmbiguousOutcomeError,
      "AXELNAC_OUTCOME_UNKNOWN",
      "ambiguous",
    ],
    [
      503,
      { status: 503, message: "No server is available to handle this request" },
      ApplianceUnreachableError,
      "AXELNAC_UNREACHABLE",
      "unreachable",
    ],
    [504, "Gateway Timeout", AmbiguousOutcomeError, "AXELNAC_OUTCOME_UNKNOWN", "ambiguous"],
    [302, "", WrongServiceError, "AXELNAC_WRONG_SERVICE", "systemic"],
    [204, "", WrongServiceError, "AXELNAC_WRONG_SERVICE", "systemic"],
    [
      200,
      "<html><body>Welcome</body></html>",
      WrongServiceError,
      "AXELNAC_WRONG_SERVICE",
      "systemic",
    ],
    [200, "OK", WrongServiceError, "AXELNAC_WRONG_SERVICE", "systemic"],
    [200, [], WrongServiceError, "AXELNAC_WRONG_SERVICE", "systemic"],
  ])("%i %j → %p %s (%s)", (status, body, type, code, failureClass) => {
    const error = sendError(reply(status, body));
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.failureClass).toBe(failureClass);
    expect(error.status).toBe(status);
    expect(error.operation).toBe("send");
    expect(error.pid).toBe("guest-1");
    expect(error.message).toContain('pid "guest-1"');
    expect(error.message).toContain(`(${code})`);
    expect(error.name).toBe(type.name);
  });

  it("writes a message a person can read", () => {
    const error = sendError(reply(404, perl(404, "Unable to get resource with this identifier")));
    expect(error.message).toBe(
      'send_user_credentials for pid "guest-1" rejected: 404 Unable to get resource with this identifier (AXELNAC_GUEST_NOT_FOUND)',
    );
    expect(error.applianceMessage).toBe("Unable to get resource with this identifier");
  });

  it("reads JSON whatever the Content-Type, and keeps a text body truncated", () => {
    const json = sendError(
      reply(401, '{"message":"Invalid token info"}', { "content-type": "text/plain" }),
    );
    expect(json.applianceMessage).toBe("Invalid token info");
    const text = sendError(reply(400, `bad request ${"x".repeat(500)}`));
    expect(text.applianceMessage).toHaveLength(201);
    expect(text.applianceMessage?.startsWith("bad request xxx")).toBe(true);
  });

  it("gives every row class its table code as a static", () => {
    expect(RequestRejectedError.code).toBe("AXELNAC_REQUEST_REJECTED");
    expect(ProviderFailedError.code).toBe("AXELNAC_SMS_PROVIDER_FAILED");
    expect(TlsUntrustedError.code).toBe("AXELNAC_TLS_UNTRUSTED");
    expect(AmbiguousOutcomeError.code).toBe("AXELNAC_OUTCOME_UNKNOWN");
  });
});

describe("429 Retry-After", () => {
  it("reads seconds", () => {
    const error = sendError(reply(429, perl(429, "slow down"), { "retry-after": "7" }));
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error.retryAfterMs).toBe(7_000);
  });

  it("reads an HTTP date, counted from now", () => {
    const at = new Date(NOW + 12_000).toUTCString();
    expect(sendError(reply(429, "", { "retry-after": at })).retryAfterMs).toBe(12_000);
  });

  it.each([undefined, "", "soon", "-3", "12abc", "Xyz, 99 Foo 2025"])(
    "falls back to 1 s for %p",
    (value) => {
      const headers = value === undefined ? {} : { "retry-after": value };
      expect(sendError(reply(429, "", headers)).retryAfterMs).toBe(DEFAULT_RETRY_AFTER_MS);
    },
  );

  it("never goes negative for a date in the past", () => {
    expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
  });
});

describe("classifyLoginReply", () => {
  it("returns the token of a 200", () => {
    expect(classifyLoginReply(reply(200, { token: "a".repeat(64) }), NOW)).toBe("a".repeat(64));
  });

  it.each([{}, { token: "" }, { token: 42 }])(
    "2xx without a non-empty string token (%p) → AXELNAC_UNEXPECTED_RESPONSE",
    (body) => {
      const error = loginError(reply(200, body));
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error.code).toBe("AXELNAC_UNEXPECTED_RESPONSE");
      expect(error.failureClass).toBe("unreachable");
      expect(error.operation).toBe("login");
    },
  );

  it.each([
    ["64 hex digits", "0123456789abcdef".repeat(4)],
    [
      "every visible ASCII character",
      String.fromCharCode(...Array.from({ length: 94 }, (_, i) => 0x21 + i)),
    ],
    ["4096 characters", "t".repeat(4_096)],
    ["one character", "t"],
  ])("returns a token of %s as it is", (_, token) => {
    expect(classifyLoginReply(reply(200, { token }), NOW)).toBe(token);
  });

  it.each([
    [
      "a line break",
      "abc\r\nX-Injected: 1",
      "some of them spaces, control or non-ASCII characters",
    ],
    ["a space", "abc def", "some of them spaces, control or non-ASCII characters"],
    ["a tab", "abc\tdef", "some of them spaces, control or non-ASCII characters"],
    ["a NUL", "abc\u0000", "some of them spaces, control or non-ASCII characters"],
    ["an escape sequence", "\u001b[2Jabc", "some of them spaces, control or non-ASCII characters"],
    ["DEL", "abc\u007f", "some of them spaces, control or non-ASCII characters"],
    ["a letter outside ASCII", "tökén", "some of them spaces, control or non-ASCII characters"],
    ["4097 characters", "t".repeat(4_097), "more than 4096"],
  ])(
    "refuses a token holding %s → AXELNAC_UNEXPECTED_RESPONSE, without quoting it",
    (_, token, flaw) => {
      const error = loginError(reply(200, { token }));
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error.operation).toBe("login");
      expect(error.status).toBe(200);
      expect(error.message).toBe(
        `login answered 200 with a malformed token (${token.length} characters, ${flaw}) (AXELNAC_UNEXPECTED_RESPONSE)`,
      );
    },
  );

  it("a 2xx with an empty token says it has none", () => {
    expect(loginError(reply(200, { token: "" })).message).toBe(
      "login answered 200 without a token (AXELNAC_UNEXPECTED_RESPONSE)",
    );
  });

  it.each<[unknown, string]>([
    ["not json", "a body that is not the API's JSON"],
    ["a <b> c", "a body that is not the API's JSON"],
    [" \r\n ", "an empty body"],
    ["", "an empty body"],
    ["  <!DOCTYPE html><title>Portal</title>", "an HTML page"],
    [null, "a body that is not the API's JSON"],
  ])("2xx with %p is another service than the API: %s → AXELNAC_WRONG_SERVICE", (body, what) => {
    const error = loginError(reply(200, body));
    expect(error).toBeInstanceOf(WrongServiceError);
    expect(error.failureClass).toBe("systemic");
    expect(error.message).toBe(
      `login answered 200 with ${what}: AXELNAC_URL likely points at the wrong service, not the AxelNAC API (AXELNAC_WRONG_SERVICE)`,
    );
  });

  it.each<[number, unknown, string, string]>([
    [
      401,
      { message: "Wasn't able to authenticate those credentials" },
      "AXELNAC_LOGIN_REJECTED",
      "systemic",
    ],
    [
      400,
      "invalid character 'x' looking for beginning of value",
      "AXELNAC_LOGIN_REJECTED",
      "systemic",
    ],
    [403, { message: "Unauthorized access" }, "AXELNAC_ACCESS_DENIED", "systemic"],
    [404, perl(404, "Unknown path /api/v1/login"), "AXELNAC_ENDPOINT_MISSING", "systemic"],
    [429, "", "AXELNAC_THROTTLED", "throttled"],
    [500, perl(500, "Internal error"), "AXELNAC_SERVER_ERROR", "retryable"],
    [502, { status: 502, message: "Proxy Error" }, "AXELNAC_UNREACHABLE", "unreachable"],
    [503, "", "AXELNAC_UNREACHABLE", "unreachable"],
    [504, "<html>", "AXELNAC_UNREACHABLE", "unreachable"],
    [301, "", "AXELNAC_WRONG_SERVICE", "systemic"],
  ])("%i → %s", (status, body, code, failureClass) => {
    const error = loginError(reply(status, body));
    expect(error.code).toBe(code);
    expect(error.failureClass).toBe(failureClass);
    expect(error.message.startsWith("login ")).toBe(true);
    expect(error.pid).toBeUndefined();
  });

  it("says why a 401 login failed", () => {
    expect(
      loginError(reply(401, { message: "Wasn't able to authenticate those credentials" })).message,
    ).toBe(
      "login rejected: 401 Wasn't able to authenticate those credentials (AXELNAC_LOGIN_REJECTED)",
    );
    expect(loginError(reply(401, ""))).toBeInstanceOf(LoginRejectedError);
  });
});

describe("classifyTokenInfoReply", () => {
  function tokenInfoError(r: Reply): AxelnacError {
    const outcome = classifyTokenInfoReply(r, NOW);
    if (outcome === true) throw new Error("expected an error, got the token's information");
    return outcome;
  }

  it.each([
    [200, { item: { username: "admin", expires_at: "2025-04-01T12:15:00Z" } }],
    [200, { item: {}, status: 200 }],
    [204, { item: { username: "admin" } }],
  ])("%i with the token's item → accepted", (status, body) => {
    expect(classifyTokenInfoReply(reply(status, body), NOW)).toBe(true);
  });

  it.each<[unknown, string]>([
    [{}, "no item"],
    [{ item: "admin" }, "an item that is not an object"],
    [{ item: ["admin"] }, "an item that is a list"],
  ])("2xx with %p (%s) → AXELNAC_UNEXPECTED_RESPONSE", (body) => {
    const error = tokenInfoError(reply(200, body));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.message).toBe(
      "token_info answered 200 without the token's information (AXELNAC_UNEXPECTED_RESPONSE)",
    );
    expect(error.operation).toBe("token_info");
    expect(error.status).toBe(200);
  });

  it.each<[unknown, string]>([
    ["<!doctype html><html><body>Guest portal</body></html>", "an HTML page"],
    [["item"], "a body that is not the API's JSON"],
    ["", "an empty body"],
  ])("2xx with %p → AXELNAC_WRONG_SERVICE (%s)", (body, what) => {
    const error = tokenInfoError(reply(200, body));
    expect(error).toBeInstanceOf(WrongServiceError);
    expect(error.message).toBe(
      `token_info answered 200 with ${what}: AXELNAC_URL likely points at the wrong service, not the AxelNAC API (AXELNAC_WRONG_SERVICE)`,
    );
  });

  it.each<[number, unknown, string, string]>([
    [
      401,
      { message: "Invalid token. Login again using /api/v1/login" },
      "AXELNAC_TOKEN_REJECTED",
      "token_rejected",
    ],
    [
      404,
      {
        message:
          "Couldn't find any information for the current token. Either it is invalid or it has expired.",
      },
      "AXELNAC_TOKEN_REJECTED",
      "token_rejected",
    ],
    [404, perl(404, "Unknown path /api/v1/token_info"), "AXELNAC_ENDPOINT_MISSING", "systemic"],
    [404, "<html>Not Found</html>", "AXELNAC_ENDPOINT_MISSING", "systemic"],
    [400, { message: "bad request" }, "AXELNAC_INVALID_REQUEST", "permanent"],
    [403, { message: "Unauthorized access" }, "AXELNAC_ACCESS_DENIED", "systemic"],
    [429, "", "AXELNAC_THROTTLED", "throttled"],
    [500, perl(500, "Internal error"), "AXELNAC_SERVER_ERROR", "retryable"],
    [502, "", "AXELNAC_UNREACHABLE", "unreachable"],
    [503, "", "AXELNAC_UNREACHABLE", "unreachable"],
    [504, "", "AXELNAC_UNREACHABLE", "unreachable"],
    [302, "", "AXELNAC_WRONG_SERVICE", "systemic"],
  ])("%i → %s", (status, body, code, failureClass) => {
    const error = tokenInfoError(reply(status, body));
    expect(error.code).toBe(code);
    expect(error.failureClass).toBe(failureClass);
    expect(error.operation).toBe("token_info");
    expect(error.message.startsWith("token_info ")).toBe(true);
    expect(error.pid).toBeUndefined();
  });

  it("says why the token was refused", () => {
    expect(tokenInfoError(reply(401, { message: "Invalid token" })).message).toBe(
      "token_info rejected: 401 Invalid token (AXELNAC_TOKEN_REJECTED)",
    );
  });
});

function networkError(message: string, code: string, name = "Error"): Error {
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, { code });
}

describe("classifyTransportFailure", () => {
  const send = { operation: "send", pid: "guest-1" } as const;
  const login = { operation: "login" } as const;
  const tokenInfo = { operation: "token_info" } as const;

  it.each([
    ["connect ECONNREFUSED 127.0.0.1:9", "ECONNREFUSED"],
    ["getaddrinfo ENOTFOUND nac.invalid", "ENOTFOUND"],
    ["getaddrinfo EAI_AGAIN nac.example", "EAI_AGAIN"],
    ["connect EHOSTUNREACH 10.0.0.1:9999", "EHOSTUNREACH"],
    ["Connect Timeout Error", "UND_ERR_CONNECT_TIMEOUT"],
    ["read ECONNRESET", "ECONNRESET"],
  ])("not sent: %s → unreachable", (message, code) => {
    const error = classifyTransportFailure(
      { error: networkError(message, code), requestSent: false },
      send,
    );
    expect(error).toBeInstanceOf(ApplianceUnreachableError);
    expect(error.failureClass).toBe("unreachable");
    expect(error.message).toContain(message);
    expect(error.pid).toBe("guest-1");
  });

  it.each([
    ["Headers Timeout Error", "UND_ERR_HEADERS_TIMEOUT"],
    ["Body Timeout Error", "UND_ERR_BODY_TIMEOUT"],
    ["other side closed", "UND_ERR_SOCKET"],
    ["read ECONNRESET", "ECONNRESET"],
    ["write EPIPE", "EPIPE"],
    ["The client is closed", "UND_ERR_CLOSED"],
  ])("sent: %s → ambiguous on send, unreachable on login and token_info", (message, code) => {
    const sent = { error: networkError(message, code), requestSent: true };
    const ambiguous = classifyTransportFailure(sent, send);
    expect(ambiguous).toBeInstanceOf(AmbiguousOutcomeError);
    expect(ambiguous.code).toBe("AXELNAC_OUTCOME_UNKNOWN");
    expect(ambiguous.failureClass).toBe("ambiguous");
    expect(ambiguous.message).toContain("the SMS may have gone out");
    expect(classifyTransportFailure(sent, login)).toBeInstanceOf(ApplianceUnreachableError);
    const asked = classifyTransportFailure(sent, tokenInfo);
    expect(asked).toBeInstanceOf(ApplianceUnreachableError);
    expect(asked.message).toMatch(/^token_info failed: .* \(AXELNAC_UNREACHABLE\)$/);
    expect(asked.message).toContain(message);
  });

  const TRUST = "; set AXELNAC_CA_FILE to the CA that signed it";
  const NAME =
    "the appliance's TLS certificate does not name the host of AXELNAC_URL: certificate problem; use a name the certificate holds in AXELNAC_URL, or have it reissued for this one";
  const PERIOD =
    "the appliance's TLS certificate is outside its validity period: certificate problem; renew it on the appliance, or set this host's clock right";
  it.each([
    [
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      `the appliance's TLS certificate is not trusted: certificate problem [DEPTH_ZERO_SELF_SIGNED_CERT]${TRUST}`,
    ],
    [
      "SELF_SIGNED_CERT_IN_CHAIN",
      `the appliance's TLS certificate is not trusted: certificate problem [SELF_SIGNED_CERT_IN_CHAIN]${TRUST}`,
    ],
    [
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      `the appliance's TLS certificate is not trusted: certificate problem [UNABLE_TO_VERIFY_LEAF_SIGNATURE]${TRUST}`,
    ],
    [
      "CERT_REVOKED",
      `the appliance's TLS certificate is not trusted: certificate problem [CERT_REVOKED]${TRUST}`,
    ],
    [
      "ERR_TLS_CERT_ALTNAME_INVALID",
      NAME.replace("problem;", "problem [ERR_TLS_CERT_ALTNAME_INVALID];"),
    ],
    ["HOSTNAME_MISMATCH", NAME.replace("problem;", "problem [HOSTNAME_MISMATCH];")],
    ["IP_ADDRESS_MISMATCH", NAME.replace("problem;", "problem [IP_ADDRESS_MISMATCH];")],
    ["CERT_HAS_EXPIRED", PERIOD.replace("problem;", "problem [CERT_HAS_EXPIRED];")],
    ["CERT_NOT_YET_VALID", PERIOD.replace("problem;", "problem [CERT_NOT_YET_VALID];")],
    [
      "ERROR_IN_CERT_NOT_BEFORE_FIELD",
      PERIOD.replace("problem;", "problem [ERROR_IN_CERT_NOT_BEFORE_FIELD];"),
    ],
    [
      "ERROR_IN_CERT_NOT_AFTER_FIELD",
      PERIOD.replace("problem;", "problem [ERROR_IN_CERT_NOT_AFTER_FIELD];"),
    ],
  ])("%s → TLS untrusted (systemic), with what to do about it", (code, said) => {
    for (const context of [send, login]) {
      const error = classifyTransportFailure(
        { error: networkError("certificate problem", code), requestSent: false },
        context,
      );
      expect(error).toBeInstanceOf(TlsUntrustedError);
      expect(error.code).toBe("AXELNAC_TLS_UNTRUSTED");
      expect(error.failureClass).toBe("systemic");
      const call = context === login ? "login" : 'send_user_credentials for pid "guest-1"';
      expect(error.message).toBe(`${call} failed: ${said} (AXELNAC_TLS_UNTRUSTED)`);
    }
  });

  it("keeps only name, code and message of the network error as cause", () => {
    const original = Object.assign(
      networkError("Headers Timeout Error", "UND_ERR_HEADERS_TIMEOUT"),
      {
        body: "secret body",
        headers: { authorization: "Bearer secret" },
      },
    );
    const error = classifyTransportFailure({ error: original, requestSent: true }, send);
    const cause = error.cause as Error & { code: string };
    expect(cause).not.toBe(original);
    expect(cause.message).toBe("Headers Timeout Error");
    expect(cause.code).toBe("UND_ERR_HEADERS_TIMEOUT");
    expect(JSON.stringify(cause)).not.toContain("secret");
  });

  it("describes an AggregateError from a dual-stack connect by its parts", () => {
    const aggregate = Object.assign(
      new AggregateError([
        networkError("connect ECONNREFUSED ::1:9", "ECONNREFUSED"),
        networkError("connect ECONNREFUSED 127.0.0.1:9", "ECONNREFUSED"),
      ]),
      { code: "ECONNREFUSED" },
    );
    const error = classifyTransportFailure({ error: aggregate, requestSent: false }, login);
    expect(error.message).toBe(
      "login failed: connect ECONNREFUSED ::1:9; connect ECONNREFUSED 127.0.0.1:9 (AXELNAC_UNREACHABLE)",
    );
  });

  it("scrubs secrets out of the cause", () => {
    const error = classifyTransportFailure(
      { error: networkError("echo pa$$word", "UND_ERR_SOCKET"), requestSent: true },
      send,
      ["pa$$word"],
    );
    expect(JSON.stringify(error)).not.toContain("pa$$word");
    expect((error.cause as Error).message).toBe("echo [redacted]");
  });
});

describe("scrub", () => {
  it("removes a secret as is and JSON-escaped", () => {
    expect(scrub('{"echo":"a\\"b"} a"b', ['a"b'])).toBe('{"echo":"[redacted]"} [redacted]');
  });
});

describe("classifyUserReply", () => {
  const lookup = (r: Reply) => classifyUserReply(r, "Guest-1", NOW);

  it("returns the guest's record: the pid as stored, the telephone when it is text", () => {
    expect(
      lookup(reply(200, { item: { pid: "guest-1", telephone: "+7999" }, status: 200 })),
    ).toEqual({
      pid: "guest-1",
      telephone: "+7999",
    });
    expect(lookup(reply(200, { item: { telephone: null } }))).toEqual({
      pid: "Guest-1",
      telephone: undefined,
    });
    expect(lookup(reply(200, { item: { pid: 7, telephone: "" } }))).toEqual({
      pid: "Guest-1",
      telephone: "",
    });
  });

  it("reads the API's 404 as no such guest", () => {
    expect(lookup(reply(404, perl(404, "Unable to get resource with this identifier")))).toBeNull();
  });

  it.each<[number, unknown, string, string]>([
    [404, perl(404, "Unknown path /api/v1/user/Guest-1"), "AXELNAC_ENDPOINT_MISSING", "systemic"],
    [404, "<html>Not Found</html>", "AXELNAC_ENDPOINT_MISSING", "systemic"],
    [
      403,
      { message: "Unauthorized access, lacking the USERS_READ administrative role" },
      "AXELNAC_ACCESS_DENIED",
      "systemic",
    ],
    [401, { message: "Invalid token info" }, "AXELNAC_TOKEN_REJECTED", "token_rejected"],
    [422, perl(422, "bad"), "AXELNAC_INVALID_REQUEST", "permanent"],
    [502, "", "AXELNAC_UNREACHABLE", "unreachable"],
    [504, "", "AXELNAC_UNREACHABLE", "unreachable"],
    [200, "<html></html>", "AXELNAC_WRONG_SERVICE", "systemic"],
    [200, { status: 200 }, "AXELNAC_UNEXPECTED_RESPONSE", "unreachable"],
  ])("%i %j → %s", (status, body, code, failureClass) => {
    const outcome = lookup(reply(status, body));
    expect(outcome).toBeInstanceOf(Error);
    const error = outcome as AxelnacError;
    expect(error).toMatchObject({ code, failureClass, operation: "user", pid: "Guest-1", status });
    expect(error.message.startsWith('user lookup for pid "Guest-1" ')).toBe(true);
  });
});
