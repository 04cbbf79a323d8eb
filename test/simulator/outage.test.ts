import { Agent } from "undici";
import { type Simulator, startSimulator } from "../../src/simulator/index";
import { call, login, sleep, waitFor } from "./http";

/** A fresh connection each time, so a pooled socket cannot hide what the listener does. */
async function probe(sim: Simulator, path = "/api/v1/nothing"): Promise<number | string> {
  const agent = new Agent({ pipelining: 0 });
  try {
    return (await call(sim, path, { dispatcher: agent })).status;
  } catch (error) {
    return (error as { code?: string }).code ?? "error";
  } finally {
    await agent.close();
  }
}

describe("simulator: outages", () => {
  let sim: Simulator;
  afterEach(() => sim.close());

  it("refuses connections while down, then answers on the same port with tokens intact", async () => {
    sim = await startSimulator({ port: 0 });
    const token = await login(sim);
    await sim.goDown(400);
    expect(await probe(sim)).toBe("ECONNREFUSED");
    await sleep(550);
    expect(await probe(sim)).toBe(401);
    // Tokens live in the appliance's database: they survive a restart of its API.
    expect((await call(sim, "/api/v1/token_info", { token })).status).toBe(200);
  });

  it("drops requests in progress when going down", async () => {
    sim = await startSimulator({ port: 0, latencyMs: 1_000 });
    const inProgress = call(sim, "/api/v1/slow").then(
      () => "answered",
      (error: { code?: string }) => error.code,
    );
    await sleep(100);
    await sim.goDown(200);
    expect(await inProgress).toBe("UND_ERR_SOCKET");
    await waitFor(() => sim.stats().inFlight === 0);
  });

  it("goes down for the seconds asked through the control API, after answering", async () => {
    sim = await startSimulator({ port: 0 });
    const answer = await call(sim, "/_simulator/down", { body: { seconds: 0.3 } });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ down: true, seconds: 0.3 });
    await sleep(50);
    expect(await probe(sim)).toBe("ECONNREFUSED");
    await sleep(450);
    expect(await probe(sim)).toBe(401);
  });

  it.each([[{}], [{ seconds: 0 }], [{ seconds: "5" }], ["[1]"]])(
    "refuses the down body %j with a 400 naming seconds",
    async (body) => {
      sim = await startSimulator({ port: 0 });
      const answer = await call(sim, "/_simulator/down", { body });
      expect(answer.status).toBe(400);
      expect((answer.json as { message: string }).message).toContain("seconds");
      expect(await probe(sim)).toBe(401);
    },
  );

  it("closes while down without coming back", async () => {
    sim = await startSimulator({ port: 0 });
    await sim.goDown(200);
    await sim.close();
    await sleep(300);
    expect(await probe(sim)).toBe("ECONNREFUSED");
  });
});
