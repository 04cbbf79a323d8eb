import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { Agent } from "undici";
import { type Simulator, startSimulator } from "../../src/simulator/index";
import { call } from "./http";

describe("simulator: TLS", () => {
  let sim: Simulator;
  afterEach(() => sim.close());

  it("serves HTTPS with a self-signed certificate for the loopback names, trusted through its CA file", async () => {
    sim = await startSimulator({ port: 0, tls: true });
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.caPem).toContain("-----BEGIN CERTIFICATE-----");
    expect(readFileSync(sim.caFile ?? "", "utf8")).toBe(sim.caPem);

    const certificate = new X509Certificate(sim.caPem ?? "");
    expect(certificate.checkHost("localhost")).toBe("localhost");
    expect(certificate.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(certificate.checkIP("::1")).toBe("::1");

    for (const servername of [undefined, "localhost"]) {
      const trusting = new Agent({ connect: { ca: sim.caPem, servername } });
      try {
        const answer = await call(sim, "/api/v1/login", {
          body: { username: "admin", password: "admin" },
          dispatcher: trusting,
        });
        expect(answer.status).toBe(200);
      } finally {
        await trusting.close();
      }
    }
  });

  it("is refused by a client that does not trust its certificate", async () => {
    sim = await startSimulator({ port: 0, tls: true });
    const plain = new Agent();
    try {
      await expect(call(sim, "/api/v1/login", { dispatcher: plain })).rejects.toMatchObject({
        code: "DEPTH_ZERO_SELF_SIGNED_CERT",
      });
    } finally {
      await plain.close();
    }
  });

  it("removes its CA file on close", async () => {
    sim = await startSimulator({ port: 0, tls: true });
    const caFile = sim.caFile ?? "";
    expect(existsSync(caFile)).toBe(true);
    await sim.close();
    expect(existsSync(caFile)).toBe(false);
  });
});
