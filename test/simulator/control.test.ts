import { type Simulator, startSimulator } from "../../src/simulator/index";
import { call, login, send } from "./http";

describe("simulator: control API", () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ port: 0 });
  });
  afterEach(() => sim.close());

  it("reports the stats as the library does, without counting itself", async () => {
    const token = await login(sim);
    await call(sim, "/api/v1/login", { body: { username: "admin", password: "bad" } });
    await send(sim, token, { pid: "p1", password: "pw-123456", source_id: "sms" });
    await call(sim, "/api/v1/token_info", { token: "nope" });

    const answer = await call(sim, "/_simulator/stats");
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      logins: 1,
      loginFailures: 1,
      sendRequests: 1,
      sent: 1,
      unauthorized: 1,
      forbidden: 0,
      // token_info answers a bad token 404, as PacketFence does.
      responses: { "200": 2, "401": 1, "404": 1 },
      inFlight: 0,
      peakInFlight: 1,
      peakServing: 1,
    });
    expect(sim.stats()).toEqual(answer.json);
  });

  it("clears counters and outbox on reset, keeping tokens", async () => {
    const token = await login(sim);
    await send(sim, token, { pid: "p1", password: "pw-123456", source_id: "sms" });
    expect(sim.outbox()).toHaveLength(1);

    const answer = await call(sim, "/_simulator/reset", { method: "POST" });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ reset: true });
    expect(sim.outbox()).toEqual([]);
    expect(sim.stats()).toMatchObject({ logins: 0, sent: 0, responses: {}, peakInFlight: 0 });
    expect((await call(sim, "/api/v1/token_info", { token })).status).toBe(200);

    sim.resetCounters();
    expect(sim.stats().responses).toEqual({});
  });

  it("answers 404 for an unknown control path and 405 for a wrong method", async () => {
    const unknown = await call(sim, "/_simulator/nothing");
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ message: "Unknown path /_simulator/nothing", status: 404 });
    const wrongMethod = await call(sim, "/_simulator/reset");
    expect(wrongMethod.status).toBe(405);
    expect((wrongMethod.json as { message: string }).message).toContain("/_simulator/reset");
  });

  it("refuses a control body that is not JSON", async () => {
    const answer = await call(sim, "/_simulator/faults", { body: "{failRate: 1" });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ message: "the request body is not valid JSON", status: 400 });
  });
});
