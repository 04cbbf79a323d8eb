import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/simulator/index";
import { captureLog, expectNoSecrets } from "../support/log-sink";
import { call, login, SEND_PATH, send } from "./http";

const GUESTS = new Map([
  ["alice", "+79990001122"],
  ["bob@example.org", "+79993334455"],
]);

describe("simulator: POST send_user_credentials", () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  async function start(options: SimulatorOptions = {}): Promise<{ s: Simulator; token: string }> {
    sim = await startSimulator({ port: 0, ...options });
    return { s: sim, token: await login(sim) };
  }

  it("sends to the guest's telephone and records it in the outbox without the password", async () => {
    const { s, token } = await start({ guests: GUESTS, sources: ["sms-twilio"] });
    const answer = await send(s, token, {
      pid: "alice",
      password: "Wifi-Pass-9731",
      source_id: "sms-twilio",
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(answer.json).toEqual({ message: "Successfully sent credentials to alice", status: 200 });

    const [entry, ...rest] = s.outbox();
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      pid: "alice",
      telephone: "+79990001122",
      sourceId: "sms-twilio",
      maskedPassword: "W***",
      passwordFingerprint: s.fingerprint("Wifi-Pass-9731"),
    });
    expect(entry?.passwordFingerprint).not.toBe(s.fingerprint("Wifi-Pass-9730"));
    expect(Date.parse(entry?.at ?? "")).toBeGreaterThan(Date.now() - 5_000);
    expect(JSON.stringify(s.outbox())).not.toContain("Wifi-Pass-9731");

    const control = await call(s, "/_simulator/outbox");
    expect(control.status).toBe(200);
    expect(control.json).toEqual({ items: s.outbox() });
    expect(control.text).not.toContain("Wifi-Pass-9731");
    expect(s.stats()).toMatchObject({ sendRequests: 1, sent: 1, responses: { "200": 2 } });
  });

  it("accepts any pid and source without guests or sources, with a stable fake number", async () => {
    const { s, token } = await start();
    for (const pid of ["zed", "zed"]) {
      const answer = await send(s, token, { pid, password: "pw123456", source_id: "anything" });
      expect(answer.status).toBe(200);
    }
    const [first, second] = s.outbox();
    expect(first?.telephone).toMatch(/^\+7999\d{7}$/);
    expect(second?.telephone).toBe(first?.telephone);
  });

  it("finds the guest as the appliance's database does: ignoring case and trailing spaces", async () => {
    const { s, token } = await start({ guests: new Map([["Alice.Smith", "+79990001122"]]) });
    for (const pid of ["alice.smith", "ALICE.SMITH", "Alice.Smith  "]) {
      const answer = await send(s, token, { pid, password: "pw123456", source_id: "sms" });
      expect({ pid, status: answer.status }).toEqual({ pid, status: 200 });
    }
    expect(s.outbox().map((sms) => sms.telephone)).toEqual(Array(3).fill("+79990001122"));
    const other = await send(s, token, { pid: " alice.smith", password: "pw1", source_id: "sms" });
    expect(other.status).toBe(404);
  });

  it("answers 500 for a guest with no telephone, and sends nothing", async () => {
    const { s, token } = await start({ guests: new Map([["dan", ""]]) });
    const answer = await send(s, token, { pid: "dan", password: "pw123456", source_id: "sms" });
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual({
      message: "Failed to send SMS to dan. Check server side logs for details",
      status: 500,
    });
    expect(s.outbox()).toEqual([]);
    expect(s.stats()).toMatchObject({ sendRequests: 1, sent: 0 });
  });

  it("refuses a send without a valid token before looking at the body", async () => {
    const { s } = await start();
    const answer = await call(s, SEND_PATH, { token: "0".repeat(64), body: "not json" });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ message: "Invalid token. Login again using /api/v1/login" });
    // Refused by the front end: the send handler never saw it.
    expect(s.stats()).toMatchObject({ sendRequests: 0, unauthorized: 1, sent: 0 });
  });

  it("answers malformed JSON with a JSON 400 that does not echo the body", async () => {
    const { s, token } = await start();
    const answer = await call(s, SEND_PATH, {
      token,
      body: '{"args":{"pid":"alice","password":"Leaky-Secret"',
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ message: expect.any(String), status: 400 });
    expect(answer.text).not.toContain("Leaky-Secret");
  });

  it.each([
    ["pid", { password: "pw", source_id: "sms" }],
    ["pid", { pid: "", password: "pw", source_id: "sms" }],
    ["password", { pid: "alice", source_id: "sms" }],
    ["password", { pid: "alice", password: "", source_id: "sms" }],
    ["source_id", { pid: "alice", password: "pw" }],
    ["source_id", { pid: "alice", password: "pw", source_id: 7 }],
    ["pid", {}],
  ])("answers 422 Missing '%s' for %j", async (name, args) => {
    const { s, token } = await start({ guests: GUESTS });
    const answer = await send(s, token, args);
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({
      message: `Missing '${name}' parameter`,
      errors: [],
      status: 422,
    });
    expect(s.outbox()).toEqual([]);
  });

  it("answers 422 Missing 'pid' when the body has no args", async () => {
    const { s, token } = await start();
    const answer = await call(s, SEND_PATH, { token, body: { pid: "alice" } });
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({ message: "Missing 'pid' parameter", errors: [], status: 422 });
  });

  it("answers 422 for an unknown source, checked before the guest", async () => {
    const { s, token } = await start({ guests: GUESTS, sources: ["sms-twilio", "sms-email"] });
    const answer = await send(s, token, { pid: "nobody", password: "pw", source_id: "sms-x" });
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({
      message: "Unknown source_id 'sms-x'",
      errors: [{ field: "source_id", message: "Unknown source_id 'sms-x'" }],
      status: 422,
    });
  });

  it("answers 404 for a pid that is not a guest", async () => {
    const { s, token } = await start({ guests: GUESTS });
    const answer = await send(s, token, { pid: "mallory", password: "pw", source_id: "sms" });
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({
      message: "Unable to get resource with this identifier",
      errors: [],
      status: 404,
    });
    expect(s.outbox()).toEqual([]);
  });

  it("answers 404 Unknown path for any other path or method", async () => {
    const { s, token } = await start();
    const other = await call(s, "/api/v1/users", { token });
    expect(other.status).toBe(404);
    expect(other.json).toEqual({ message: "Unknown path /api/v1/users", errors: [], status: 404 });
    const get = await call(s, `${SEND_PATH}?x=1`, { token });
    expect(get.status).toBe(404);
    expect(get.json).toEqual({ message: `Unknown path ${SEND_PATH}`, errors: [], status: 404 });
  });

  it("logs each login and send with pid and status, never a password or token", async () => {
    const log = captureLog("trace");
    const { s, token } = await start({ logger: log.logger, guests: GUESTS });
    await send(s, token, { pid: "alice", password: "Plain-Text-Pw", source_id: "sms" });
    await send(s, token, { pid: "mallory", password: "Other-Pw-42", source_id: "sms" });
    await call(s, "/api/v1/login", { body: { username: "admin", password: "Wrong-Admin-Pw" } });
    await call(s, SEND_PATH, { body: '{"args":{"password":"In-Broken-Json"', token });

    const sends = log
      .lines()
      .filter((line) => line.msg === "simulator: send_user_credentials answered");
    expect(sends.map((line) => [line.guestPid, line.status])).toEqual([
      ["alice", 200],
      ["mallory", 404],
      [undefined, 400],
    ]);
    const logins = log.lines().filter((line) => String(line.msg).startsWith("simulator: login"));
    expect(logins.map((line) => line.status)).toEqual([200, 401]);
    expectNoSecrets(log.text(), [
      token,
      "Plain-Text-Pw",
      "Other-Pw-42",
      "Wrong-Admin-Pw",
      "In-Broken-Json",
      '"admin"}',
    ]);
  });
});
