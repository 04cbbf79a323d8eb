import { type Simulator, startSimulator } from "../../src/simulator/index";
import { call, login, sleep } from "./http";

const UNKNOWN = { message: "Invalid token. Login again using /api/v1/login" };
const TOO_OLD = { message: "Invalid token info" };

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
    const withHeader = (authorization: string) =>
      call(s, "/api/v1/token_info", { headers: { authorization } });

    expect((await withHeader(`Bearer ${token}`)).status).toBe(200);
    expect((await withHeader(token)).status).toBe(200);
    const lower = await withHeader(`bearer ${token}`);
    expect(lower.status).toBe(401);
    expect(lower.json).toEqual(UNKNOWN);
  });

  it("sends token 401s as JSON text without a JSON content type", async () => {
    const s = await start();
    const answer = await call(s, "/api/v1/token_info", { token: "f".repeat(64) });
    expect(answer.status).toBe(401);
    expect(answer.headers["content-type"]).toMatch(/^text\/plain/);
    expect(answer.json).toEqual(UNKNOWN);
    expect(s.stats().unauthorized).toBe(1);
  });

  it("refuses a request with no Authorization header", async () => {
    const s = await start();
    const answer = await call(s, "/api/v1/token_info");
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(UNKNOWN);
  });

  it("describes the token in token_info", async () => {
    const s = await start({ username: "api-user", password: "pw", idleTimeoutMs: 60_000 });
    const before = Date.now();
    const token = await login(s, "api-user", "pw");
    const answer = await call(s, "/api/v1/token_info", { token });
    expect(answer.status).toBe(200);
    const { item, status } = answer.json as {
      item: { username: string; expires_at: string; created_at: string };
      status: number;
    };
    expect(status).toBe(200);
    expect(item.username).toBe("api-user");
    const created = Date.parse(item.created_at);
    expect(created).toBeGreaterThanOrEqual(before - 5);
    expect(Date.parse(item.expires_at) - created).toBeGreaterThanOrEqual(59_000);
    expect(Date.parse(item.expires_at) - created).toBeLessThanOrEqual(61_000);
  });

  it("expires an idle token, while use keeps it alive", async () => {
    const s = await start({ idleTimeoutMs: 400 });
    const idle = await login(s);
    const busy = await login(s);
    for (let i = 0; i < 6; i += 1) {
      await sleep(100);
      expect((await call(s, "/api/v1/token_info", { token: busy })).status).toBe(200);
    }
    // 600 ms have passed: the busy token lived past its idle timeout by being used.
    const answer = await call(s, "/api/v1/token_info", { token: idle });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(UNKNOWN);
  });

  it("does not extend the token for token_info?no-expiration-extension=1", async () => {
    const s = await start({ idleTimeoutMs: 400 });
    const token = await login(s);
    await sleep(250);
    const peek = await call(s, "/api/v1/token_info?no-expiration-extension=1", { token });
    expect(peek.status).toBe(200);
    await sleep(200);
    const answer = await call(s, "/api/v1/token_info", { token });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(UNKNOWN);
  });

  it("kills a token past its maximum lifetime whatever the activity", async () => {
    const s = await start({ idleTimeoutMs: 10_000, maxLifetimeMs: 400 });
    const token = await login(s);
    expect((await call(s, "/api/v1/token_info", { token })).status).toBe(200);
    await sleep(450);
    const answer = await call(s, "/api/v1/token_info", { token });
    expect(answer.status).toBe(401);
    expect(answer.headers["content-type"]).toMatch(/^text\/plain/);
    expect(answer.json).toEqual(TOO_OLD);
    // A fresh login works again.
    expect((await call(s, "/api/v1/token_info", { token: await login(s) })).status).toBe(200);
  });

  it("revokes every token, from the library and from the control API", async () => {
    const s = await start();
    const first = await login(s);
    s.revokeAllTokens();
    expect((await call(s, "/api/v1/token_info", { token: first })).json).toEqual(UNKNOWN);

    const second = await login(s);
    const third = await login(s);
    const revoked = await call(s, "/_simulator/revoke-tokens", { method: "POST" });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toEqual({ revoked: 2 });
    for (const token of [second, third]) {
      expect((await call(s, "/api/v1/token_info", { token })).json).toEqual(UNKNOWN);
    }
  });
});
