/**
 * The client against the built-in simulator, end to end over real sockets: one test per row of
 * the outcome table that the simulator can produce.
 */
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  AmbiguousOutcomeError,
  ApplianceUnreachableError,
  AxelnacClient,
  type AxelnacClientOptions,
  type AxelnacError,
  LoginRejectedError,
  ProviderFailedError,
  RequestRejectedError,
  ThrottledError,
  TokenRejectedError,
} from "../../src/axelnac";
import { type Simulator, startSimulator } from "../../src/simulator";
import { waitUntil } from "../support/wait";

const API = { username: "courier", password: "api-Pa55word!" };
const GUESTS = new Map([
  ["alice", "+33600000001"],
  ["bob", "+33600000002"],
]);
const alice = { pid: "alice", password: "guest-S3cret", source_id: "sms" };

/** Runs `action`, which must throw an AxelnacError, and returns that error. */
async function failure(action: Promise<unknown>): Promise<AxelnacError> {
  try {
    await action;
  } catch (error) {
    return error as AxelnacError;
  }
  throw new Error("expected the call to fail");
}

describe("AxelnacClient against the simulator", () => {
  let sim: Simulator;
  let client: AxelnacClient;
  const clients: AxelnacClient[] = [];

  function newClient(options: Partial<AxelnacClientOptions> = {}): AxelnacClient {
    const created = new AxelnacClient({ url: sim.url, ...options });
    clients.push(created);
    return created;
  }

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, ...API, guests: GUESTS });
    client = newClient();
  });

  afterEach(() => {
    sim.setFaults({
      latencyMs: 0,
      failRate: 0,
      unavailableRate: 0,
      proxyErrorRate: 0,
      gatewayTimeoutRate: 0,
      throttleRate: 0,
      resetRate: 0,
      hangRate: 0,
      trickleRate: 0,
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
  });

  it("logs in and delivers: 200, and the simulator's outbox holds the SMS", async () => {
    sim.resetCounters();
    const token = await client.login(API);
    expect(token).toMatch(/^[0-9a-f]{64}$/);

    const delivered = await client.sendUserCredentials(alice, token);

    expect(delivered).toEqual({ status: 200, message: "Successfully sent credentials to alice" });
    expect(sim.outbox()).toEqual([
      expect.objectContaining({
        pid: "alice",
        telephone: "+33600000001",
        sourceId: "sms",
        passwordFingerprint: sim.fingerprint(alice.password),
      }),
    ]);
  });

  it("keeps at most maxConnections requests at the appliance at once", async () => {
    const capped = newClient({ maxConnections: 3 });
    const token = await capped.login(API);
    sim.resetCounters();
    sim.setFaults({ latencyMs: 50 });
    const results = await Promise.all(
      Array.from({ length: 12 }, () => capped.sendUserCredentials(alice, token)),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(sim.stats().peakInFlight).toBe(3);
    expect(sim.outbox()).toHaveLength(12);
  });

  it("401 on login (wrong API password) → AXELNAC_LOGIN_REJECTED, systemic", async () => {
    const error = await failure(client.login({ username: API.username, password: "wrong" }));
    expect(error).toBeInstanceOf(LoginRejectedError);
    expect(error).toMatchObject({
      code: "AXELNAC_LOGIN_REJECTED",
      failureClass: "systemic",
      status: 401,
      operation: "login",
      applianceMessage: "Wasn't able to authenticate those credentials",
    });
  });

  it("401 on send after the tokens were revoked → AXELNAC_TOKEN_REJECTED", async () => {
    const token = await client.login(API);
    sim.revokeAllTokens();
    const error = await failure(client.sendUserCredentials(alice, token));
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(error).toMatchObject({
      code: "AXELNAC_TOKEN_REJECTED",
      failureClass: "token_rejected",
      status: 401,
      pid: "alice",
      applianceMessage: "Invalid token. Login again using /api/v1/login",
    });
    // A fresh login works again.
    await expect(client.sendUserCredentials(alice, await client.login(API))).resolves.toMatchObject(
      {
        status: 200,
      },
    );
  });

  it("401 on send for an unknown token → AXELNAC_TOKEN_REJECTED", async () => {
    const error = await failure(client.sendUserCredentials(alice, "0".repeat(64)));
    expect(error).toBeInstanceOf(TokenRejectedError);
  });

  it("token_info accepts a token just issued, and refuses an unknown one → AXELNAC_TOKEN_REJECTED", async () => {
    await expect(client.tokenInfo(await client.login(API))).resolves.toBeUndefined();
    const error = await failure(client.tokenInfo("0".repeat(64)));
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(error.operation).toBe("token_info");
    expect(error.message).not.toContain("0".repeat(64));
  });

  it("422 missing parameter → AXELNAC_INVALID_REQUEST, permanent", async () => {
    const token = await client.login(API);
    const error = await failure(client.sendUserCredentials({ ...alice, source_id: "" }, token));
    expect(error).toBeInstanceOf(RequestRejectedError);
    expect(error).toMatchObject({
      code: "AXELNAC_INVALID_REQUEST",
      failureClass: "permanent",
      status: 422,
      applianceMessage: "Missing 'source_id' parameter",
    });
    expect(error.message).toBe(
      `send_user_credentials for pid "alice" rejected: 422 Missing 'source_id' parameter (AXELNAC_INVALID_REQUEST)`,
    );
  });

  it("404 unknown pid → AXELNAC_GUEST_NOT_FOUND, permanent", async () => {
    const token = await client.login(API);
    const error = await failure(client.sendUserCredentials({ ...alice, pid: "mallory" }, token));
    expect(error).toBeInstanceOf(RequestRejectedError);
    expect(error).toMatchObject({ code: "AXELNAC_GUEST_NOT_FOUND", failureClass: "permanent" });
    expect(error.message).toBe(
      'send_user_credentials for pid "mallory" rejected: 404 Unable to get resource with this identifier (AXELNAC_GUEST_NOT_FOUND)',
    );
  });

  it("429 → AXELNAC_THROTTLED with retryAfterMs from Retry-After", async () => {
    const token = await client.login(API);
    sim.setFaults({ throttleRate: 1, retryAfterSeconds: 3 });
    const error = await failure(client.sendUserCredentials(alice, token));
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({
      code: "AXELNAC_THROTTLED",
      failureClass: "throttled",
      status: 429,
      retryAfterMs: 3_000,
    });
  });

  it("500 → AXELNAC_SMS_PROVIDER_FAILED, retryable, nothing in the outbox", async () => {
    const token = await client.login(API);
    sim.resetCounters();
    sim.setFaults({ failRate: 1 });
    const error = await failure(client.sendUserCredentials(alice, token));
    expect(error).toBeInstanceOf(ProviderFailedError);
    expect(error).toMatchObject({
      code: "AXELNAC_SMS_PROVIDER_FAILED",
      failureClass: "retryable",
      status: 500,
    });
    expect(sim.outbox()).toEqual([]);
  });

  it("503 → AXELNAC_UNREACHABLE", async () => {
    const token = await client.login(API);
    sim.setFaults({ unavailableRate: 1 });
    const error = await failure(client.sendUserCredentials(alice, token));
    expect(error).toBeInstanceOf(ApplianceUnreachableError);
    expect(error).toMatchObject({ code: "AXELNAC_UNREACHABLE", status: 503 });
  });

  it("looks a guest up: the record as stored, found ignoring case; null for an unknown pid", async () => {
    const token = await client.login(API);
    await expect(client.getUser("ALICE", token)).resolves.toEqual({
      pid: "alice",
      telephone: "+33600000001",
    });
    await expect(client.getUser("zoe", token)).resolves.toBeNull();
    await expect(client.getUser("a/b", token)).resolves.toBeNull();
  });

  it("the proxy's 502 → AXELNAC_OUTCOME_UNKNOWN, ambiguous (here nothing went out)", async () => {
    const token = await client.login(API);
    sim.resetCounters();
    sim.setFaults({ proxyErrorRate: 1 });
    const error = await failure(client.sendUserCredentials(alice, token));
    expect(error).toBeInstanceOf(AmbiguousOutcomeError);
    expect(error).toMatchObject({ failureClass: "ambiguous", status: 502 });
    expect(error.applianceMessage).toBe("Proxy Error");
    expect(sim.outbox()).toEqual([]);
  });

  it("HAProxy's 504 page → AXELNAC_OUTCOME_UNKNOWN, ambiguous: the SMS did go out", async () => {
    const token = await client.login(API);
    sim.resetCounters();
    sim.setFaults({ gatewayTimeoutRate: 1 });
    const error = await failure(client.sendUserCredentials(alice, token));
    expect(error).toBeInstanceOf(AmbiguousOutcomeError);
    expect(error).toMatchObject({ failureClass: "ambiguous", status: 504 });
    expect(error.message).toContain(
      "failed: 504 504 Gateway Time-out The server didn't respond in time.: a proxy answered",
    );
    expect(sim.outbox().map((sms) => sms.pid)).toEqual(["alice"]);
  });

  it("socket reset after the request was read → AXELNAC_OUTCOME_UNKNOWN", async () => {
    const token = await client.login(API);
    sim.setFaults({ resetRate: 1 });
    const error = await failure(client.sendUserCredentials(alice, token));
    expect(error).toBeInstanceOf(AmbiguousOutcomeError);
    expect(error).toMatchObject({ code: "AXELNAC_OUTCOME_UNKNOWN", failureClass: "ambiguous" });
    expect(error.status).toBeUndefined();
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("no answer within requestTimeoutMs → AXELNAC_OUTCOME_UNKNOWN (deadline)", async () => {
    const impatient = newClient({ requestTimeoutMs: 300 });
    const token = await impatient.login(API);
    sim.setFaults({ hangRate: 1 });
    const started = Date.now();
    const error = await failure(impatient.sendUserCredentials(alice, token));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(AmbiguousOutcomeError);
    expect(error.cause).toMatchObject({ code: "ERR_REQUEST_DEADLINE" });
    expect(error.message).toContain('pid "alice"');
    expect(error.message).toContain("no complete answer within 300 ms");
  });

  it("a 200 whose body trickles past requestTimeoutMs → AXELNAC_OUTCOME_UNKNOWN: the deadline covers the whole answer", async () => {
    const impatient = newClient({ requestTimeoutMs: 1_000 });
    const token = await impatient.login(API);
    sim.resetCounters();
    // A byte every 100 ms: no gap between two bytes comes near the timeout, but the whole body
    // (some 60 bytes) takes six times as long.
    sim.setFaults({ trickleRate: 1, trickleIntervalMs: 100 });
    const started = Date.now();
    const error = await failure(impatient.sendUserCredentials(alice, token));
    const tookMs = Date.now() - started;
    expect(error).toBeInstanceOf(AmbiguousOutcomeError);
    expect(error).toMatchObject({
      code: "AXELNAC_OUTCOME_UNKNOWN",
      failureClass: "ambiguous",
      status: 200,
    });
    expect(error.message).toContain("no complete answer within 1000 ms");
    // Ended by the deadline, long before the body could have been complete.
    expect(tookMs).toBeLessThan(4_000);
    // Ambiguous indeed: the appliance had sent the SMS.
    expect(sim.outbox()).toHaveLength(1);
    // The connection was cut, so the appliance's slot is free again.
    await waitUntil(() => sim.stats().inFlight === 0, { what: "the trickling request closed" });
  });
});

describe("token lifetimes", () => {
  let sim: Simulator;
  let client: AxelnacClient;

  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  it("idle expiry → 401 'Invalid token. Login again…' → AXELNAC_TOKEN_REJECTED", async () => {
    sim = await startSimulator({ port: 0, ...API, idleTimeoutMs: 500 });
    client = new AxelnacClient({ url: sim.url });
    const token = await client.login(API);
    await expect(client.sendUserCredentials(alice, token)).resolves.toMatchObject({ status: 200 });
    await sleep(700);
    const error = await failure(client.sendUserCredentials(alice, token));
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(error.applianceMessage).toBe("Invalid token. Login again using /api/v1/login");
  });

  it("past the maximum lifetime → 401 'Invalid token info' → AXELNAC_TOKEN_REJECTED", async () => {
    sim = await startSimulator({ port: 0, ...API, maxLifetimeMs: 250 });
    client = new AxelnacClient({ url: sim.url });
    const token = await client.login(API);
    await sleep(350);
    const error = await failure(client.sendUserCredentials(alice, token));
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(error.applianceMessage).toBe("Invalid token info");
  });
});

describe("an appliance that does not answer the phone", () => {
  it("connection refused while the simulator is down → AXELNAC_UNREACHABLE, never ambiguous", async () => {
    const sim = await startSimulator({ port: 0, ...API });
    const client = new AxelnacClient({ url: sim.url });
    try {
      const token = await client.login(API);
      await sim.goDown(1_000);
      // Let the client see its kept-alive connection closed: a request written on it before
      // then is (rightly) ambiguous, as the appliance might have read it.
      await sleep(50);
      const send = await failure(client.sendUserCredentials(alice, token));
      expect(send).toBeInstanceOf(ApplianceUnreachableError);
      expect(send).toMatchObject({ code: "AXELNAC_UNREACHABLE", failureClass: "unreachable" });
      expect(send.cause).toMatchObject({ code: "ECONNREFUSED" });
      expect(send.message).toMatch(/^send_user_credentials for pid "alice" failed: .*ECONNREFUSED/);
      const login = await failure(client.login(API));
      expect(login).toBeInstanceOf(ApplianceUnreachableError);
      expect(sim.stats().sendRequests).toBe(0);
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it("a login answer that trickles past requestTimeoutMs → AXELNAC_UNREACHABLE: a failed login, never ambiguous", async () => {
    // The simulator trickles sends only; this server answers every request so.
    const body = JSON.stringify({ token: "t".repeat(64) });
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length });
      res.flushHeaders();
      let sent = 0;
      const timer = setInterval(() => {
        res.write(body.slice(sent, sent + 1));
        if (++sent === body.length) {
          clearInterval(timer);
          res.end();
        }
      }, 100);
      res.once("close", () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const client = new AxelnacClient({ url: `http://127.0.0.1:${port}`, requestTimeoutMs: 1_000 });
    try {
      const error = await failure(client.login(API));
      expect(error).toBeInstanceOf(ApplianceUnreachableError);
      expect(error).toMatchObject({ code: "AXELNAC_UNREACHABLE", operation: "login", status: 200 });
      expect(error.message).toContain("no complete answer within 1000 ms");
    } finally {
      await client.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("a closed port → AXELNAC_UNREACHABLE", async () => {
    const port = await freePort();
    const client = new AxelnacClient({ url: `http://127.0.0.1:${port}` });
    try {
      const error = await failure(client.sendUserCredentials(alice, "t".repeat(64)));
      expect(error).toBeInstanceOf(ApplianceUnreachableError);
    } finally {
      await client.close();
    }
  });

  it("an unknown host name → AXELNAC_UNREACHABLE", async () => {
    const client = new AxelnacClient({ url: "http://axelnac.invalid:9999" });
    try {
      const error = await failure(client.login(API));
      expect(error).toBeInstanceOf(ApplianceUnreachableError);
      expect(error.cause).toMatchObject({ code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/) });
    } finally {
      await client.close();
    }
  });
});

/** A port nothing listens on: bound, read, released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
