import { ConcurrencyGate } from "../../src/simulator/gate";
import { type Simulator, startSimulator } from "../../src/simulator/index";
import { call, login, send } from "./http";

describe("simulator: concurrency gate over HTTP", () => {
  let sim: Simulator;
  afterEach(() => sim.close());

  it("serves 8 of 20 simultaneous requests at once and queues the rest", async () => {
    sim = await startSimulator({ port: 0, maxConcurrent: 8 });
    const token = await login(sim);
    sim.resetCounters();
    sim.setFaults({ latencyMs: 200 });

    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(sim, token, { pid: `guest-${i}`, password: "pw-123456", source_id: "sms" }),
      ),
    );
    const elapsed = Date.now() - started;

    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    const stats = sim.stats();
    expect(stats.peakServing).toBe(8);
    expect(stats.peakInFlight).toBe(20);
    expect(stats.inFlight).toBe(0);
    expect(stats.sent).toBe(20);
    // Three waves of 200 ms (8 + 8 + 4): the queue really waited.
    expect(elapsed).toBeGreaterThanOrEqual(590);
  });

  it("counts a request waiting at the gate as in flight", async () => {
    sim = await startSimulator({ port: 0, maxConcurrent: 1 });
    const token = await login(sim);
    sim.setFaults({ latencyMs: 1_000 });
    const pending = [call(sim, "/api/v1/a", { token }), call(sim, "/api/v1/b", { token })];
    // Wait for both to arrive (a loaded machine may take a while), well within the first's 1 s.
    const arrivedBy = Date.now() + 900;
    while (sim.stats().inFlight < 2 && Date.now() < arrivedBy) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(sim.stats()).toMatchObject({ inFlight: 2, peakServing: 1 });
    const statuses = (await Promise.all(pending)).map((answer) => answer.status);
    expect(statuses).toEqual([404, 404]);
  });

  it("leaves the control API outside the gate", async () => {
    sim = await startSimulator({ port: 0, maxConcurrent: 1 });
    const token = await login(sim);
    sim.setFaults({ latencyMs: 400 });
    const slow = call(sim, "/api/v1/slow", { token });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    expect((await call(sim, "/_simulator/stats")).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(200);
    await slow;
  });
});

describe("ConcurrencyGate", () => {
  it("admits waiters in arrival order and skips those that gave up", async () => {
    const gate = new ConcurrencyGate(2);
    const order: string[] = [];
    const first = await gate.acquire();
    const second = await gate.acquire();
    const abandon = new AbortController();
    const waiters = ["a", "b", "c"].map((name) =>
      gate.acquire(name === "b" ? abandon.signal : undefined).then(
        (release) => {
          order.push(name);
          return release;
        },
        () => {
          order.push(`${name} abandoned`);
          return () => {};
        },
      ),
    );
    expect(gate.waiting).toBe(3);
    abandon.abort();
    await Promise.resolve();
    expect(gate.waiting).toBe(2);
    first();
    first(); // a second call must not free a second slot
    second();
    const releases = await Promise.all(waiters);
    expect(order).toEqual(["b abandoned", "a", "c"]);
    expect(gate.serving).toBe(2);
    for (const release of releases) release();
    expect(gate.serving).toBe(0);
  });
});
