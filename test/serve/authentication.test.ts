import { ServeHarness } from "./serve-harness";

const GUEST = { pid: "auth-guest", password: "guestpw-auth-1", source_id: "sms" };

describe("serve: API keys", () => {
  let h: ServeHarness;
  beforeAll(async () => {
    h = await ServeHarness.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it("refuses a request without a key: 401 API_KEY_MISSING, in the JSON error shape", async () => {
    const answer = await h.call("POST", "/v1/deliveries", { body: GUEST });
    expect(answer.status).toBe(401);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(answer.body).toEqual({
      error: {
        code: "API_KEY_MISSING",
        message: 'this route needs an API key: "Authorization: Bearer <key>"',
      },
    });
  });

  it.each([
    ["an unknown id", () => `0123456789abcdef.${"A".repeat(43)}`],
    ["a malformed key", () => "not-a-key"],
    ["another scheme", () => undefined],
  ])("refuses %s: 401 API_KEY_INVALID", async (_, presented) => {
    const key = presented();
    const answer = await h.call("GET", "/v1/deliveries/x", {
      ...(key === undefined ? { headers: { authorization: "Basic dXNlcjpwYXNz" } } : { key }),
    });
    expect(answer.status).toBe(401);
    expect(answer.body.error?.code).toBe("API_KEY_INVALID");
  });

  it("refuses a known id with a wrong secret: 401 API_KEY_INVALID, never saying the id exists", async () => {
    const key = await h.key(["deliveries:read"]);
    const [id] = key.split(".");
    const answer = await h.call("GET", "/v1/deliveries/x", { key: `${id}.${"B".repeat(43)}` });
    expect(answer.status).toBe(401);
    expect(answer.body.error?.code).toBe("API_KEY_INVALID");
  });

  it("refuses a revoked key: 401 API_KEY_REVOKED, at once", async () => {
    const key = await h.key(["deliveries:read"]);
    expect((await h.call("GET", "/v1/deliveries/nothing", { key })).status).toBe(404);
    await h.server.deps.apiKeys.revoke(key.split(".")[0] as string);
    const answer = await h.call("GET", "/v1/deliveries/nothing", { key });
    expect(answer.status).toBe(401);
    expect(answer.body.error?.code).toBe("API_KEY_REVOKED");
    expect(answer.body.error?.message).toMatch(/^the API key "[0-9a-f]{16}" was revoked on \d{4}-/);
  });

  it("refuses a key without the route's scope: 403 API_KEY_SCOPE naming the scope", async () => {
    const reader = await h.key(["deliveries:read"]);
    const answer = await h.call("POST", "/v1/deliveries", { key: reader, body: GUEST });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toEqual({
      code: "API_KEY_SCOPE",
      message: "this API key lacks the scope deliveries:write, which this route needs",
    });
    expect(await h.queue.getJobCounts("waiting")).toEqual({ waiting: 0 });
  });

  it("lets a key with the scope through, the scheme's name in any case", async () => {
    const writer = await h.key(["deliveries:write"]);
    const answer = await h.call("POST", "/v1/deliveries", {
      headers: { authorization: `bearer ${writer}` },
      body: GUEST,
    });
    expect(answer.status).toBe(202);
  });

  it("needs no key for the OpenAPI document, and answers an unknown route 404 NOT_FOUND as JSON", async () => {
    expect((await h.call("GET", "/openapi.json")).status).toBe(200);
    const missing = await h.call("GET", "/v1/nothing-here?x=1");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: { code: "NOT_FOUND", message: "no route GET /v1/nothing-here" },
    });
  });

  it("never logs the key, nor the Authorization header", async () => {
    const key = await h.key(["deliveries:read"]);
    await h.call("GET", "/v1/deliveries/some-id", { key });
    const text = h.log.text();
    expect(text).toContain("/v1/deliveries/some-id");
    expect(text).not.toContain(key.split(".")[1]);
    expect(text.toLowerCase()).not.toContain("bearer");
  });
});
