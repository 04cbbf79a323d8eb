import { request } from "undici";
import { type Simulator, startSimulator } from "../../src/simulator/index";
import { call, login, SEND_PATH, send, waitFor } from "./http";

const ARGS = { pid: "guest-1", password: "Guest-Pw-1234", source_id: "sms" };

describe("simulator: injected faults", () => {
  let sim: Simulator;
  let token: string;
  beforeEach(async () => {
    sim = await startSimulator({ port: 0 });
    token = await login(sim);
  });
  afterEach(() => sim.close());

  it("answers 500 for failRate 1 and sends nothing", async () => {
    sim.setFaults({ failRate: 1 });
    const answer = await send(sim, token, ARGS);
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual({
      message: "Failed to send SMS to guest-1. Check server side logs for details",
      status: 500,
    });
    expect(sim.outbox()).toEqual([]);
    expect(sim.stats()).toMatchObject({ sendRequests: 1, sent: 0, responses: { "500": 1 } });
  });

  it("takes failRate from the options", async () => {
    const failing = await startSimulator({ port: 0, failRate: 1 });
    try {
      const answer = await send(failing, await login(failing), ARGS);
      expect(answer.status).toBe(500);
    } finally {
      await failing.close();
    }
  });

  it("answers 503 for unavailableRate 1 and sends nothing", async () => {
    sim.setFaults({ unavailableRate: 1 });
    const answer = await send(sim, token, ARGS);
    expect(answer.status).toBe(503);
    expect(answer.json).toEqual({
      status: 503,
      message: "No server is available to handle this request",
    });
    expect(sim.outbox()).toEqual([]);
  });

  it("answers the proxy's 502 for proxyErrorRate 1 and sends nothing", async () => {
    sim.setFaults({ proxyErrorRate: 1 });
    const answer = await send(sim, token, ARGS);
    expect(answer.status).toBe(502);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(answer.json).toEqual({ status: 502, message: "Proxy Error" });
    expect(sim.outbox()).toEqual([]);
  });

  it("answers HAProxy's 504 page for gatewayTimeoutRate 1, after the SMS went out", async () => {
    sim.setFaults({ gatewayTimeoutRate: 1 });
    const answer = await send(sim, token, ARGS);
    expect(answer.status).toBe(504);
    expect(answer.headers["content-type"]).toBe("text/html");
    expect(answer.text).toBe(
      "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n",
    );
    expect(sim.outbox().map((sms) => sms.pid)).toEqual([ARGS.pid]);
  });

  it("answers 429 with Retry-After for throttleRate 1 and sends nothing", async () => {
    sim.setFaults({ throttleRate: 1, retryAfterSeconds: 7 });
    const answer = await send(sim, token, ARGS);
    expect(answer.status).toBe(429);
    expect(answer.headers["retry-after"]).toBe("7");
    expect(answer.json).toEqual({ status: 429, message: "Too many requests" });
    expect(sim.outbox()).toEqual([]);

    sim.setFaults({ retryAfterSeconds: 1 });
    expect((await send(sim, token, ARGS)).headers["retry-after"]).toBe("1");
  });

  it("drops the connection for resetRate 1", async () => {
    sim.setFaults({ resetRate: 1 });
    await expect(send(sim, token, ARGS)).rejects.toMatchObject({
      code: expect.stringMatching(/^(UND_ERR_SOCKET|ECONNRESET)$/),
    });
    expect(sim.outbox()).toEqual([]);
    // Only sends are affected: the API still answers everything else.
    expect((await call(sim, "/api/v1/token_info", { token })).status).toBe(200);
    expect(sim.stats().inFlight).toBe(0);
  });

  it("never answers for hangRate 1, until the client gives up", async () => {
    sim.setFaults({ hangRate: 1 });
    const started = Date.now();
    await expect(send(sim, token, ARGS, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(sim.outbox()).toEqual([]);
    await waitFor(() => sim.stats().inFlight === 0);
  });

  it("for trickleRate 1, sends the SMS and answers 200 at once, but the body a byte at a time", async () => {
    sim.setFaults({ trickleRate: 1, trickleIntervalMs: 10 });
    const response = await request(`${sim.url}${SEND_PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ args: ARGS }),
    });
    expect(response.statusCode).toBe(200);
    // The appliance sent the SMS: only its answer is slow.
    expect(sim.outbox().map((sms) => sms.pid)).toEqual(["guest-1"]);
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    expect(JSON.parse(text)).toEqual({
      message: "Successfully sent credentials to guest-1",
      status: 200,
    });
    expect(response.headers["content-length"]).toBe(String(text.length));
    // One write per byte reaches the client as (nearly) one chunk per byte.
    expect(chunks.length).toBeGreaterThan(text.length / 2);
    expect(sim.stats()).toMatchObject({ sendRequests: 1, sent: 1 });
  });

  it("stops trickling when the client gives up", async () => {
    sim.setFaults({ trickleRate: 1, trickleIntervalMs: 1_000 });
    const response = await request(`${sim.url}${SEND_PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ args: ARGS }),
    });
    expect(response.statusCode).toBe(200);
    expect(sim.stats().inFlight).toBe(1);
    response.body.destroy();
    await waitFor(() => sim.stats().inFlight === 0);
  });

  it("closes cleanly with requests still hanging", async () => {
    sim.setFaults({ hangRate: 1 });
    const outcomes = [send(sim, token, ARGS), send(sim, token, ARGS)].map((request) =>
      request.then(
        () => "answered",
        (error: { code?: string }) => error.code,
      ),
    );
    await waitFor(() => sim.stats().inFlight === 2);
    await sim.close();
    expect(await Promise.all(outcomes)).toEqual(["UND_ERR_SOCKET", "UND_ERR_SOCKET"]);
  });

  it("adds latency to every API answer", async () => {
    sim.setFaults({ latencyMs: 150 });
    const started = Date.now();
    // Answered by the front end (no token), after the latency all the same.
    expect((await call(sim, "/api/v1/nothing")).status).toBe(401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  it("sets and reports faults through the control API", async () => {
    const set = await call(sim, "/_simulator/faults", { body: { throttleRate: 1, latencyMs: 5 } });
    expect(set.status).toBe(200);
    expect(set.json).toEqual({
      latencyMs: 5,
      failRate: 0,
      unavailableRate: 0,
      proxyErrorRate: 0,
      gatewayTimeoutRate: 0,
      throttleRate: 1,
      retryAfterSeconds: 1,
      resetRate: 0,
      hangRate: 0,
      trickleRate: 0,
      trickleIntervalMs: 1_000,
      bulkImportItemMs: 0,
    });
    expect((await send(sim, token, ARGS)).status).toBe(429);
    expect((await call(sim, "/_simulator/faults")).json).toEqual(set.json);
  });

  it.each([
    [{ failRate: 1.5 }, "failRate"],
    [{ hangRate: "0.5" }, "hangRate"],
    [{ latencyMs: -1 }, "latencyMs"],
    [{ retryAfterSeconds: 1.5 }, "retryAfterSeconds"],
    [{ trickleRate: 2 }, "trickleRate"],
    [{ trickleIntervalMs: 0 }, "trickleIntervalMs"],
    [{ bulkImportItemMs: -5 }, "bulkImportItemMs"],
    [{ dropRate: 0.1 }, "dropRate"],
  ])("refuses the control body %j with a 400 naming %s", async (body, field) => {
    const answer = await call(sim, "/_simulator/faults", { body });
    expect(answer.status).toBe(400);
    expect((answer.json as { message: string }).message).toContain(field);
    expect((answer.json as { status: number }).status).toBe(400);
    expect((await call(sim, "/_simulator/faults")).json).toMatchObject({
      failRate: 0,
      latencyMs: 0,
    });
  });

  it("refuses bad faults given to setFaults with an error naming the field", () => {
    expect(() => sim.setFaults({ throttleRate: -0.1 })).toThrow(/throttleRate/);
  });
});
