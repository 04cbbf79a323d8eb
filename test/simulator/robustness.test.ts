import { connect } from "node:net";
import { type Simulator, startSimulator } from "../../src/simulator/index";
import { call, login, SEND_PATH } from "./http";

/** Sends raw bytes and returns the first answer line, for requests no HTTP client would send. */
function rawRequest(sim: Simulator, text: string): Promise<string> {
  const { hostname, port } = new URL(sim.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString();
      if (received.includes("\r\n")) {
        socket.destroy();
        resolve(received.split("\r\n")[0] ?? "");
      }
    });
    socket.on("error", reject);
  });
}

describe("simulator: robustness", () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ port: 0 });
  });
  afterEach(() => sim.close());

  it("answers a request target no URL parser accepts with 400 and keeps serving", async () => {
    const line = await rawRequest(sim, "GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(line).toBe("HTTP/1.1 400 Bad Request");
    expect((await call(sim, "/api/v1/nothing")).status).toBe(401);
  });

  it("answers an oversized body with 413", async () => {
    const token = await login(sim);
    const answer = await call(sim, SEND_PATH, { token, body: "x".repeat(17 * 1024 * 1024) });
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual({ message: "Request body too large", status: 413 });
  });
});
