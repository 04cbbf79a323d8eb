import { type Simulator, startSimulator } from "../../src/simulator/index";
import { call, login, SEND_PATH, send, sleep } from "./http";

const LACKING_SYSTEM_CREATE = {
  message: "Unauthorized access, lacking the SYSTEM_CREATE administrative role",
};
const ARGS = { pid: "guest-1", password: "Guest-Pw-1234", source_id: "sms" };

describe("simulator: API accounts and their admin roles (docs/axelnac-api.md §2)", () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it("refuses a send 403 to an account without SYSTEM_CREATE, before looking at the body", async () => {
    sim = await startSimulator({
      port: 0,
      accounts: [{ username: "viewer", password: "viewer-pw", adminActions: ["SYSTEM_READ"] }],
    });
    const token = await login(sim, "viewer", "viewer-pw");
    for (const body of [{ args: ARGS }, "not json"]) {
      const answer = await call(sim, SEND_PATH, { token, body });
      expect(answer.status).toBe(403);
      expect(answer.headers["content-type"]).toMatch(/^text\/plain/);
      expect(answer.json).toEqual(LACKING_SYSTEM_CREATE);
    }
    expect(sim.outbox()).toEqual([]);
    expect(sim.stats()).toMatchObject({ forbidden: 2, sendRequests: 0 });
    // The role decides before the route: a POST to a path that does not exist is refused too,
    // while a GET the account may make reaches the router and its 404.
    expect((await call(sim, "/api/v1/nowhere", { token, body: {} })).json).toEqual(
      LACKING_SYSTEM_CREATE,
    );
    expect((await call(sim, "/api/v1/nowhere", { token })).status).toBe(404);
  });

  it("reports an account's admin actions and roles in token_info", async () => {
    sim = await startSimulator({
      port: 0,
      accounts: [{ username: "viewer", password: "viewer-pw", adminActions: ["SYSTEM_READ"] }],
    });
    const token = await login(sim, "viewer", "viewer-pw");
    const answer = await call(sim, "/api/v1/token_info", { token });
    expect(answer.json).toMatchObject({
      item: { admin_actions: ["SYSTEM_READ"], admin_roles: ["viewer-role"], username: "viewer" },
    });
  });

  it("restarts the idle timer of a token whose requests end in 403", async () => {
    sim = await startSimulator({
      port: 0,
      idleTimeoutMs: 400,
      accounts: [{ username: "viewer", password: "viewer-pw" }],
    });
    const token = await login(sim, "viewer", "viewer-pw");
    for (let n = 0; n < 8; n++) {
      await sleep(100);
      expect((await send(sim, token, ARGS)).status).toBe(403);
    }
    expect((await call(sim, "/api/v1/token_info", { token })).status).toBe(200);
  });

  it("adds an account, or takes a role away, through the control API", async () => {
    sim = await startSimulator({ port: 0 });
    const added = await call(sim, "/_simulator/accounts", {
      body: { username: "sender", password: "sender-pw", admin_actions: ["SYSTEM_CREATE"] },
    });
    expect(added.status).toBe(200);
    expect(added.json).toEqual({ username: "sender", admin_actions: ["SYSTEM_CREATE"] });
    const token = await login(sim, "sender", "sender-pw");
    expect((await send(sim, token, ARGS)).status).toBe(200);

    // Roles are read on every request: a token already issued loses the right at once.
    sim.setAccount({ username: "sender", password: "sender-pw", adminActions: [] });
    expect((await send(sim, token, ARGS)).json).toEqual(LACKING_SYSTEM_CREATE);
  });

  it.each([
    [{ password: "pw" }, /username/],
    [{ username: "x" }, /password/],
    [{ username: "x", password: "pw", admin_actions: "SYSTEM_READ" }, /admin_actions/],
    [{ username: "x", password: "pw", admin_actions: ["read everything"] }, /"read everything"/],
  ])("refuses the account %j with a 400 naming the field", async (body, named) => {
    sim = await startSimulator({ port: 0 });
    const answer = await call(sim, "/_simulator/accounts", { body });
    expect(answer.status).toBe(400);
    expect((answer.json as { message: string }).message).toMatch(named);
  });
});
