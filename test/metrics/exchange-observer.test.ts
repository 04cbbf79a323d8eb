/**
 * What the AxelNAC client tells its observer of each exchange (the appliance_request_duration
 * metric's labels), against the simulator and real sockets.
 */
import { createServer } from "node:net";
import { AxelnacClient, type ExchangeSeen } from "../../src/axelnac";
import { type Simulator, startSimulator } from "../../src/simulator";

const API = { username: "courier", password: "api-Pa55word!" };
const alice = { pid: "alice", password: "guest-S3cret", source_id: "sms" };

describe("the AxelNAC client's exchange observer", () => {
  let sim: Simulator;
  let client: AxelnacClient | undefined;
  let seen: ExchangeSeen[];

  beforeEach(async () => {
    sim = await startSimulator({ port: 0, ...API });
    seen = [];
  });

  afterEach(async () => {
    await client?.destroy();
    client = undefined;
    await sim.close();
  });

  function observed(url = sim.url, requestTimeoutMs = 10_000): AxelnacClient {
    client = new AxelnacClient({ url, requestTimeoutMs, onExchange: (s) => seen.push(s) });
    return client;
  }

  it("names the operation and the status of each answer, with its duration", async () => {
    const c = observed();
    const token = await c.login(API);
    await c.sendUserCredentials(alice, token);
    await c.getUser("alice", token);
    await c.tokenInfo(token);
    sim.setFaults({ failRate: 1 });
    await expect(c.sendUserCredentials(alice, token)).rejects.toThrow();
    expect(seen.map(({ operation, status }) => [operation, status])).toEqual([
      ["login", 200],
      ["send_user_credentials", 200],
      ["get_user", 200],
      ["token_info", 200],
      ["send_user_credentials", 500],
    ]);
    for (const { seconds } of seen) {
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(10);
    }
  });

  it.each([
    ["timeout", { hangRate: 1 }],
    ["reset", { resetRate: 1 }],
  ] as const)("says %s when a send gets no complete answer", async (status, faults) => {
    const c = observed(sim.url, 500);
    const token = await c.login(API);
    sim.setFaults(faults);
    await expect(c.sendUserCredentials(alice, token)).rejects.toThrow();
    expect(seen.at(-1)).toMatchObject({ operation: "send_user_credentials", status });
  });

  it("says unreachable when the request never went out (a closed port)", async () => {
    const c = observed(`http://127.0.0.1:${await closedPort()}`);
    await expect(c.login(API)).rejects.toThrow();
    expect(seen).toEqual([
      { operation: "login", status: "unreachable", seconds: expect.any(Number) },
    ]);
  });

  it("tells the observer nothing that could hold a secret: no password, no token", async () => {
    const c = observed();
    const token = await c.login(API);
    await c.sendUserCredentials(alice, token);
    const text = JSON.stringify(seen);
    for (const secret of [API.password, alice.password, token, alice.pid]) {
      expect(text).not.toContain(secret);
    }
    for (const s of seen) expect(Object.keys(s).sort()).toEqual(["operation", "seconds", "status"]);
  });
});

/** A port nothing listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
