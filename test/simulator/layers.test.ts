import { type Simulator, startSimulator } from "../../src/simulator/index";
import { call, login, SEND_PATH, send, sleep, waitFor } from "./http";

const TOKEN_UNKNOWN = { message: "Invalid token. Login again using /api/v1/login" };

/**
 * An answer the test cannot wait for forever: what the front end answers must come while every
 * API worker is busy, so waiting at the gate shows as this error instead of a hung test.
 */
function within(ms: number): { signal: AbortSignal } {
  return { signal: AbortSignal.timeout(ms) };
}

describe("simulator: the front end answers without an API worker (docs/axelnac-api.md §6)", () => {
  let sim: Simulator;
  let token: string;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, maxConcurrent: 2 });
    token = await login(sim);
    sim.setFaults({ hangRate: 1 });
    // Two sends that never end hold both API workers.
    for (let n = 0; n < 2; n++) {
      void send(sim, token, { pid: `hung-${n}`, password: "pw", source_id: "sms" }).catch(() => {});
    }
    await waitFor(() => sim.stats().peakServing === 2);
  });

  afterAll(async () => {
    await sim.close();
  });

  it("logs in while every API worker is busy", async () => {
    const answer = await call(sim, "/api/v1/login", {
      body: { username: "admin", password: "admin" },
      ...within(5_000),
    });
    expect(answer.status).toBe(200);
  });

  it("refuses a bad token at once while every API worker is busy", async () => {
    const answer = await send(
      sim,
      "0".repeat(64),
      { pid: "a", password: "b", source_id: "c" },
      {
        ...within(5_000),
      },
    );
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(TOKEN_UNKNOWN);
  });

  it("answers token_info while every API worker is busy", async () => {
    const answer = await call(sim, "/api/v1/token_info", { token, ...within(5_000) });
    expect(answer.status).toBe(200);
  });

  it("makes a send with a good token wait for a worker", async () => {
    const waiting = call(sim, SEND_PATH, {
      token,
      body: { args: { pid: "queued", password: "pw", source_id: "sms" } },
      ...within(500),
    });
    await expect(waiting).rejects.toThrow(/abort/i);
    expect(sim.stats().peakServing).toBe(2);
  });
});

describe("simulator: token before route", () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it("answers an unknown path 401 without a token, and 404 Unknown path with one", async () => {
    sim = await startSimulator({ port: 0 });
    const without = await call(sim, "/api/v1/users");
    expect(without.status).toBe(401);
    expect(without.json).toEqual(TOKEN_UNKNOWN);
    const token = await login(sim);
    const withToken = await call(sim, "/api/v1/users", { token });
    expect(withToken.status).toBe(404);
    expect(withToken.json).toEqual({
      message: "Unknown path /api/v1/users",
      errors: [],
      status: 404,
    });
  });

  it("restarts the idle timer on every authenticated request, even one that ends in 404", async () => {
    sim = await startSimulator({ port: 0, idleTimeoutMs: 400 });
    const token = await login(sim);
    // 1.2 s of 404s, one every 100 ms: three idle timeouts' worth.
    for (let n = 0; n < 12; n++) {
      expect((await call(sim, "/api/v1/nowhere", { token })).status).toBe(404);
      await sleep(100);
    }
    expect((await call(sim, "/api/v1/token_info", { token })).status).toBe(200);
  });
});

describe("simulator: token_info as PacketFence answers it (docs/axelnac-api.md §4)", () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it("describes a valid token under item, with its admin actions and roles and no status", async () => {
    sim = await startSimulator({ port: 0, username: "api-user", password: "pw" });
    const token = await login(sim, "api-user", "pw");
    const answer = await call(sim, "/api/v1/token_info", { token });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      item: {
        admin_actions: expect.arrayContaining(["SYSTEM_CREATE", "SYSTEM_READ"]),
        admin_roles: ["ALL"],
        username: "api-user",
        expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/),
      },
    });
  });

  it("answers 404 with PacketFence's message for an unknown or expired token", async () => {
    sim = await startSimulator({ port: 0, idleTimeoutMs: 100 });
    const token = await login(sim);
    await sleep(200);
    for (const given of [token, "f".repeat(64), ""]) {
      const answer = await call(sim, "/api/v1/token_info", { token: given });
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual({
        message:
          "Couldn't find any information for the current token. Either it is invalid or it has expired.",
      });
    }
  });

  it("does not restart the idle timer when no-expiration-extension has any value, '0' included", async () => {
    sim = await startSimulator({ port: 0, idleTimeoutMs: 400 });
    const token = await login(sim);
    for (const value of ["1", "0", "false"]) {
      const peek = await call(sim, `/api/v1/token_info?no-expiration-extension=${value}`, {
        token,
      });
      expect(peek.status).toBe(200);
    }
    await sleep(450);
    expect((await call(sim, "/api/v1/token_info", { token })).status).toBe(404);
  });

  it("restarts the idle timer when no-expiration-extension is empty", async () => {
    sim = await startSimulator({ port: 0, idleTimeoutMs: 400 });
    const token = await login(sim);
    for (let n = 0; n < 6; n++) {
      await sleep(100);
      const answer = await call(sim, "/api/v1/token_info?no-expiration-extension=", { token });
      expect(answer.status).toBe(200);
    }
  });
});
