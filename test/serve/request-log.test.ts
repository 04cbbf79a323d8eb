import { ServeHarness } from "./serve-harness";

describe("serve: one log line per answered request", () => {
  let h: ServeHarness;
  beforeAll(async () => {
    h = await ServeHarness.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("logs each request once, as answered: route, status, time and the key that asked", async () => {
    const created = await h.server.deps.apiKeys.create({
      name: "log reader",
      scopes: ["deliveries:read"],
    });
    const answer = await h.call("GET", "/v1/deliveries/nobody%3A1", { key: created.key });
    expect(answer.status).toBe(404);
    const lines = h.log.lines();
    const ofRequest = lines.filter((line) => line.url === "/v1/deliveries/nobody%3A1");
    expect(ofRequest).toEqual([
      expect.objectContaining({
        level: 30,
        msg: "request answered",
        method: "GET",
        route: "/v1/deliveries/:id",
        statusCode: 404,
        responseTimeMs: expect.any(Number),
        apiKey: created.id,
        reqId: expect.any(String),
      }),
    ]);
    // Fastify's own two lines per request are not written.
    expect(
      lines.filter((line) => /^(incoming request|request completed)$/.test(String(line.msg))),
    ).toEqual([]);
  });

  it("logs a request without a key or a route under one route name, without an apiKey", async () => {
    expect((await h.call("GET", "/no/such/path")).status).toBe(404);
    const line = h.log.lines().find((entry) => entry.url === "/no/such/path");
    expect(line).toMatchObject({ msg: "request answered", route: "unmatched", statusCode: 404 });
    expect(line).not.toHaveProperty("apiKey");
  });
});
