import { type Simulator, startSimulator } from "../../src/simulator/index";
import { call, login, sleep } from "./http";

const UNKNOWN = { message: "Invalid token. Login again using /api/v1/login" };
const TOO_OLD = { message: "Invalid token info" };
/** Any path under /api/v1/ goes through the token check; a live token then gets Unknown path. */
const CHECKED = "/api/v1/nothing";
const LIVE = 404;

describe("simulator: tokens", () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  async function start(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
    sim = await startSimulator({ port: 0, ...options });
    return sim;
  }

  it("accepts 'Bearer <token>' and a bare token, and refuses 'bearer <token>'", async () => {
    const s = await start();
    const token = await login(s);
    const withHeader = (authorization: string) => call(s, CHECKED, { headers: { authorization } });

    expect((await withHeader(`Bearer ${token}`)).status).toBe(LIVE);
    expect((await withHeader(token)).status).toBe(LIVE);
    const lower = await withHeader(`bearer ${token}`);
    expect(lower.status).toBe(401);
    expect(lower.json).toEqual(UNKNOWN);
  });

  it("sends token 401s as JSON text without a JSON content type", async () => {
    const s = await start();
    const answer = await call(s, CHECKED, { token: "f".repeat(64) });
    expect(answer.status).toBe(401);
    expect(answer.headers["content-type"]).toMatch(/^text\/plain/);
    expect(answer.json).toEqual(UNKNOWN);
    expect(s.stats().unauthorized).toBe(1);
  });

  it("refuses a request with no Authorization header", async () => {
    const s = await start();
    const answer = await call(s, CHECKED);
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(UNKNOWN);
  });

  it("expires an idle token, while use keeps it alive", async () => {
    const s = await start({ idleTimeoutMs: 400 });
    const idle = await login(s);
    const busy = await login(s);
    for (let i = 0; i < 6; i += 1) {
      await sleep(100);
      expect((await call(s, CHECKED, { token: busy })).status).toBe(LIVE);
    }
    // 600 ms have passed: the busy token lived past its idle timeout by being used.
    const answer = await call(s, CHECKED, { token: idle });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(UNKNOWN);
  });

  it("kills a token past its maximum lifetime whatever the activity", async () => {
    const s = await start({ idleTimeoutMs: 10_000, maxLifetimeMs: 400 });
    const token = await login(s);
    expect((await call(s, CHECKED, { token })).status).toBe(LIVE);
    await sleep(450);
    const answer = await call(s, CHECKED, { token });
    expect(answer.status).toBe(401);
    expect(answer.headers["content-type"]).toMatch(/^text\/plain/);
    expect(answer.json).toEqual(TOO_OLD);
    // A fresh login works again.
    expect((await call(s, CHECKED, { token: await login(s) })).status).toBe(LIVE);
  });

  it("revokes every token, from the library and from the control API", async () => {
    const s = await start();
    const first = await login(s);
    s.revokeAllTokens();
    expect((await call(s, CHECKED, { token: first })).json).toEqual(UNKNOWN);

    const second = await login(s);
    const third = await login(s);
    const revoked = await call(s, "/_simulator/revoke-tokens", { method: "POST" });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toEqual({ revoked: 2 });
    for (const token of [second, third]) {
      expect((await call(s, CHECKED, { token })).json).toEqual(UNKNOWN);
    }
  });
});
