/** Trusting the appliance's certificate: verified by default, a CA to add, or an explicit opt-out. */
import {
  AxelnacClient,
  type AxelnacClientOptions,
  type AxelnacError,
  TlsUntrustedError,
} from "../../src/axelnac";
import { type Simulator, startSimulator } from "../../src/simulator";
import { captureLog } from "../support/log-sink";

const API = { username: "admin", password: "tls-Api-Pa55" };
const guest = { pid: "carol", password: "carol-Pa55", source_id: "sms" };

describe("AxelnacClient over HTTPS (simulator with a self-signed certificate)", () => {
  let sim: Simulator;
  const clients: AxelnacClient[] = [];

  function newClient(options: Partial<AxelnacClientOptions> = {}): AxelnacClient {
    const client = new AxelnacClient({ url: sim.url, ...options });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, ...API, tls: true });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
  });

  it("serves https", () => {
    expect(sim.url).toMatch(/^https:\/\//);
    expect(sim.caPem).toContain("-----BEGIN CERTIFICATE-----");
  });

  it("refuses the untrusted certificate without a CA → AXELNAC_TLS_UNTRUSTED, systemic", async () => {
    const client = newClient();
    const login = await client.login(API).catch((e: AxelnacError) => e);
    expect(login).toBeInstanceOf(TlsUntrustedError);
    expect(login).toMatchObject({ code: "AXELNAC_TLS_UNTRUSTED", failureClass: "systemic" });
    expect((login as AxelnacError).message).toContain("AXELNAC_CA_FILE");

    const send = await client.sendUserCredentials(guest, "f".repeat(64)).catch((e) => e);
    expect(send).toBeInstanceOf(TlsUntrustedError);
    expect(sim.stats().logins + sim.stats().sendRequests).toBe(0);
  });

  it("trusts the certificate given as `ca`", async () => {
    const client = newClient({ ca: sim.caPem });
    const token = await client.login(API);
    await expect(client.sendUserCredentials(guest, token)).resolves.toMatchObject({ status: 200 });
  });

  it("skips verification when explicitly asked, and warns once at construction", async () => {
    const log = captureLog("trace");
    const client = newClient({ insecureSkipTlsVerify: true, logger: log.logger });
    const token = await client.login(API);
    await client.sendUserCredentials(guest, token);

    const warnings = log.lines().filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.msg)).toMatch(/TLS certificate verification .* DISABLED/);
  });

  it("refuses a trusted certificate issued for another host → AXELNAC_TLS_UNTRUSTED, naming the host as the problem", async () => {
    // The certificate names 127.0.0.1, ::1 and localhost; 127.0.0.2 is the same machine (Linux
    // routes all of 127/8 to loopback) under a name the certificate does not carry.
    const other = await startSimulator({ port: 0, host: "127.0.0.2", ...API, tls: true }).catch(
      () => undefined,
    );
    if (other === undefined) return; // no 127.0.0.2 on this system (macOS)
    const client = new AxelnacClient({ url: other.url, ca: other.caPem });
    try {
      const error = await client.login(API).catch((e: AxelnacError) => e);
      expect(error).toBeInstanceOf(TlsUntrustedError);
      expect((error as AxelnacError).cause).toMatchObject({ code: "ERR_TLS_CERT_ALTNAME_INVALID" });
      // The CA is given and right: the advice is about the name, not AXELNAC_CA_FILE.
      expect((error as AxelnacError).message).toMatch(
        /^login failed: the appliance's TLS certificate does not name the host of AXELNAC_URL: .*127\.0\.0\.2.*; use a name the certificate holds in AXELNAC_URL, or have it reissued for this one \(AXELNAC_TLS_UNTRUSTED\)$/,
      );
      expect((error as AxelnacError).message).not.toContain("AXELNAC_CA_FILE");
    } finally {
      await client.close();
      await other.close();
    }
  });

  it("rejects a `ca` that is not PEM text", () => {
    expect(() => new AxelnacClient({ url: sim.url, ca: "/etc/ssl/nac.pem" })).toThrow(/not PEM/);
  });
});
