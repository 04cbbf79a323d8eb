import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Agent, request } from "undici";
import { createTlsMaterial, type TlsMaterial } from "../../src/simulator/tls";
import { ServeHarness } from "./serve-harness";

describe("serve over HTTPS (SERVE_TLS_CERT_FILE, SERVE_TLS_KEY_FILE)", () => {
  let tls: TlsMaterial;
  let h: ServeHarness;
  let trusting: Agent;
  beforeAll(async () => {
    tls = await createTlsMaterial();
    const keyFile = join(dirname(tls.caFile), "serve-key.pem");
    writeFileSync(keyFile, tls.key, { mode: 0o600 });
    h = await ServeHarness.start({
      settings: { SERVE_TLS_CERT_FILE: tls.caFile, SERVE_TLS_KEY_FILE: keyFile },
    });
    trusting = new Agent({ connect: { ca: tls.cert } });
  });
  afterAll(async () => {
    await trusting?.close();
    await h?.close();
    await tls?.remove();
  });

  it("listens on https:// and says so", () => {
    expect(h.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const started = h.log.lines().find((line) => line.msg === `HTTP API listening on ${h.url}`);
    expect(started).toMatchObject({ tls: true, url: h.url });
  });

  it("answers a client that trusts its certificate, the API included", async () => {
    const key = await h.key(["deliveries:write"]);
    const answer = await h.call("POST", "/v1/deliveries", {
      key,
      body: { pid: "tls-guest", password: "guestpw-7a7a", source_id: "sms" },
      dispatcher: trusting,
    });
    expect(answer.status).toBe(202);
  });

  it("is refused by a client that does not trust the certificate, and speaks no plain HTTP", async () => {
    await expect(request(`${h.url}/openapi.json`)).rejects.toThrow(/self[- ]signed/i);
    const plain = h.url.replace("https://", "http://");
    await expect(request(`${plain}/openapi.json`)).rejects.toThrow();
  });
});
