import { type Simulator, startSimulator } from "../../src/simulator/index";
import { call, login } from "./http";

describe("simulator: POST /api/v1/login", () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ port: 0, username: "operator", password: "s3cret-pass" });
  });
  afterEach(() => sim.close());

  it("answers a 64-hex token for the right credentials", async () => {
    const answer = await call(sim, "/api/v1/login", {
      body: { username: "operator", password: "s3cret-pass" },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(Object.keys(answer.json as object)).toEqual(["token"]);
    expect((answer.json as { token: string }).token).toMatch(/^[0-9a-f]{64}$/);
    expect(sim.stats().logins).toBe(1);
  });

  it.each([
    ["a wrong password", { username: "operator", password: "nope" }],
    ["a wrong user", { username: "admin", password: "s3cret-pass" }],
    ["no password", { username: "operator" }],
    ["a null body (Go decodes it to empty credentials)", null],
  ])("answers 401 for %s", async (_, body) => {
    const answer = await call(sim, "/api/v1/login", { body: JSON.stringify(body) });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ message: "Wasn't able to authenticate those credentials" });
    expect(sim.stats().loginFailures).toBe(1);
    expect(sim.stats().logins).toBe(0);
  });

  it.each([
    ["field names in any case", '{"USERNAME":"operator","Password":"s3cret-pass"}'],
    [
      "a key folding to the same field as an earlier one replaces it",
      '{"Username":"x","username":"operator","password":"s3cret-pass"}',
    ],
    [
      "the last of a repeated key",
      '{"username":"x","username":"operator","password":"s3cret-pass"}',
    ],
    [
      "unknown keys and text after the object",
      '{"username":"operator","password":"s3cret-pass","otp":1} trailing',
    ],
  ])("decodes the body as Go does: %s", async (_, body) => {
    const answer = await call(sim, "/api/v1/login", { body });
    expect(answer.status).toBe(200);
  });

  it.each([
    [
      "a non-string password",
      { username: "operator", password: 12345 },
      "json: cannot unmarshal number into Go struct field .Password of type string",
    ],
    [
      "an array body",
      [],
      "json: cannot unmarshal array into Go value of type struct { Username string; Password string }",
    ],
    [
      "a string body",
      "operator",
      "json: cannot unmarshal string into Go value of type struct { Username string; Password string }",
    ],
    ["an empty body", "", "EOF"],
  ])("answers %s with Go's decoder error, 400 in plain text", async (_, body, message) => {
    const answer = await call(sim, "/api/v1/login", {
      body: typeof body === "string" && body !== "operator" ? body : JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
    expect(answer.status).toBe(400);
    expect(answer.headers["content-type"]).toMatch(/^text\/plain/);
    expect(answer.text).toBe(`${message}\n`);
    expect(sim.stats().loginFailures).toBe(0);
  });

  it("answers malformed JSON with a plain-text 400 that does not echo the body", async () => {
    const answer = await call(sim, "/api/v1/login", {
      body: '{"username":"operator","password":"s3cret-pass"',
    });
    expect(answer.status).toBe(400);
    expect(answer.headers["content-type"]).toMatch(/^text\/plain/);
    expect(answer.json).toBeUndefined();
    expect(answer.text).toBe("unexpected EOF\n");
    expect(answer.text).not.toContain("s3cret-pass");
  });

  it("gives a new token per login and keeps the older ones valid", async () => {
    const first = await login(sim, "operator", "s3cret-pass");
    const second = await login(sim, "operator", "s3cret-pass");
    expect(second).not.toBe(first);
    for (const token of [first, second]) {
      const answer = await call(sim, "/api/v1/token_info", { token });
      expect(answer.status).toBe(200);
    }
  });

  it("checks a GET on the login path for a token, as any other path", async () => {
    const answer = await call(sim, "/api/v1/login");
    expect(answer.status).toBe(401);
    const token = await login(sim, "operator", "s3cret-pass");
    const withToken = await call(sim, "/api/v1/login", { token });
    expect(withToken.json).toEqual({
      message: "Unknown path /api/v1/login",
      errors: [],
      status: 404,
    });
  });
});
