import { type Simulator, startSimulator } from "../../src/simulator/index";
import { call, login } from "./http";

const GUESTS = new Map([
  ["Alice.Smith", "+79990001122"],
  ["dan", ""],
  ["a/b@x", "+79990003344"],
]);

describe("simulator: GET /api/v1/user/{pid}", () => {
  let sim: Simulator;
  let token: string;

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      guests: GUESTS,
      accounts: [{ username: "sender", password: "sender-pw", adminActions: ["SYSTEM_CREATE"] }],
    });
    token = await login(sim);
  });
  afterAll(() => sim.close());

  it("answers the guest's record with the pid as stored, found ignoring case and trailing spaces", async () => {
    for (const pid of ["Alice.Smith", "alice.smith", "ALICE.SMITH%20%20"]) {
      const answer = await call(sim, `/api/v1/user/${pid}`, { token });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        item: { pid: "Alice.Smith", telephone: "+79990001122" },
        status: 200,
      });
    }
  });

  it("answers a guest without a telephone with an empty one", async () => {
    const answer = await call(sim, "/api/v1/user/dan", { token });
    expect(answer.json).toEqual({ item: { pid: "dan", telephone: "" }, status: 200 });
  });

  it("decodes an escaped pid", async () => {
    const answer = await call(sim, `/api/v1/user/${encodeURIComponent("a/b@x")}`, { token });
    expect(answer.json).toMatchObject({ item: { pid: "a/b@x" } });
  });

  it("answers 404 with PacketFence's message for an unknown pid", async () => {
    const answer = await call(sim, "/api/v1/user/nobody", { token });
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({
      message: "Unable to get resource with this identifier",
      errors: [],
      status: 404,
    });
  });

  it("routes only one path segment after /user/", async () => {
    const answer = await call(sim, "/api/v1/user/dan/extra", { token });
    expect(answer.json).toMatchObject({ message: "Unknown path /api/v1/user/dan/extra" });
  });

  it("needs the USERS_READ admin action: an account without it is refused 403", async () => {
    const senderToken = await login(sim, "sender", "sender-pw");
    const answer = await call(sim, "/api/v1/user/dan", { token: senderToken });
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({
      message: "Unauthorized access, lacking the USERS_READ administrative role",
    });
  });
});
