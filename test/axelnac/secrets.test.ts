/**
 * Over every kind of failure, at trace level: no guest password, API password or token appears in
 * the client's logs, nor in any error's message, JSON, stack or cause.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AxelnacClient, type AxelnacError, isAxelnacError } from "../../src/axelnac";
import { type Simulator, startSimulator } from "../../src/simulator";
import { captureLog, expectNoSecrets } from "../support/log-sink";

const API = { username: "courier", password: "Api-Secret-7f3c9e" };
const guest = { pid: "erin", password: "Guest-Secret-4b1d2a", source_id: "sms" };

describe("no secret leaks", () => {
  let sim: Simulator;
  let tlsSim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, ...API, guests: new Map([["erin", "+33600000005"]]) });
    tlsSim = await startSimulator({ port: 0, ...API, tls: true });
  });

  afterAll(async () => {
    await sim.close();
    await tlsSim.close();
  });

  it("holds across successes and every failure the simulator can produce", async () => {
    const log = captureLog("trace");
    const client = new AxelnacClient({ url: sim.url, requestTimeoutMs: 300, logger: log.logger });
    const untrusted = new AxelnacClient({ url: tlsSim.url, logger: log.logger });
    const insecure = new AxelnacClient({
      url: tlsSim.url,
      insecureSkipTlsVerify: true,
      logger: log.logger,
    });
    const tokens: string[] = [];
    const errors: AxelnacError[] = [];
    const attempt = async (action: () => Promise<unknown>) => {
      try {
        const result = await action();
        if (typeof result === "string") tokens.push(result);
      } catch (error) {
        if (!isAxelnacError(error)) throw error;
        errors.push(error);
      }
    };
    const login = async () => {
      const token = await client.login(API);
      tokens.push(token);
      return token;
    };

    try {
      await attempt(() => client.sendUserCredentials(guest, "bad-token-0123456789"));
      tokens.push("bad-token-0123456789");
      const token = await login();
      await attempt(() => client.sendUserCredentials(guest, token));
      await attempt(() => client.login({ username: API.username, password: `${API.password}x` }));
      await attempt(() => client.sendUserCredentials({ ...guest, pid: "nobody" }, token));
      await attempt(() => client.sendUserCredentials({ ...guest, source_id: "" }, token));
      for (const fault of [
        "throttleRate",
        "failRate",
        "unavailableRate",
        "resetRate",
        "hangRate",
      ]) {
        sim.setFaults({ [fault]: 1 });
        await attempt(() => client.sendUserCredentials(guest, token));
        sim.setFaults({ [fault]: 0 });
      }
      sim.revokeAllTokens();
      await attempt(() => client.sendUserCredentials(guest, token));
      const fresh = await login();
      await sim.goDown(500);
      await sleep(50); // let the client notice its kept-alive connection was cut
      await attempt(() => client.sendUserCredentials(guest, fresh));
      await attempt(() => client.login(API));
      await attempt(() => untrusted.login(API));
      await attempt(() => untrusted.sendUserCredentials(guest, fresh));
      const insecureToken = await insecure.login(API);
      tokens.push(insecureToken);
      await attempt(() => insecure.sendUserCredentials(guest, insecureToken));
    } finally {
      await Promise.all([client.close(), untrusted.close(), insecure.close()]);
    }

    expect(new Set(errors.map((e) => e.code))).toEqual(
      new Set([
        "AXELNAC_TOKEN_REJECTED",
        "AXELNAC_LOGIN_REJECTED",
        "AXELNAC_GUEST_NOT_FOUND",
        "AXELNAC_INVALID_REQUEST",
        "AXELNAC_THROTTLED",
        "AXELNAC_SMS_PROVIDER_FAILED",
        "AXELNAC_UNREACHABLE",
        "AXELNAC_OUTCOME_UNKNOWN",
        "AXELNAC_TLS_UNTRUSTED",
      ]),
    );
    // As the worker will: log every error whole, cause included, through pino's serializer.
    for (const error of errors) log.logger.error({ err: error }, "delivery failed");

    const secrets = [API.password, guest.password, ...tokens];
    expect(log.lines().length).toBeGreaterThan(errors.length);
    expectNoSecrets(log.text(), secrets);
    for (const error of errors) {
      const cause = error.cause as Error | undefined;
      expectNoSecrets(
        [
          error.message,
          error.stack,
          JSON.stringify(error),
          String(cause),
          cause?.stack,
          JSON.stringify(cause),
        ].join("\n"),
        secrets,
      );
    }
  });
});
