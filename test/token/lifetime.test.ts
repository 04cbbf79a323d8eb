import { type Simulator, startSimulator } from "../../src/simulator";
import { callWithToken } from "../../src/token";
import { captureLog } from "../support/log-sink";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";
import { type FleetMember, fleetMember } from "../support/token-fleet";

const guest = { pid: "guest-life", password: "pw-life-secret", source_id: "sms" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("proactive token refresh", () => {
  let sim: Simulator;
  let member: FleetMember;
  const log = captureLog();
  const prefix = uniquePrefix("lifetime");

  afterEach(async () => {
    await member.close();
    await sim.close();
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("logs in again before the idle timeout kills the token, without a 401", async () => {
    sim = await startSimulator({ port: 0, idleTimeoutMs: 1_200, logger: log.logger });
    member = fleetMember(sim.url, prefix, log.logger, {
      idleTimeoutMs: 1_200,
      refreshMarginMs: 300,
    });
    await callWithToken(member.tokens, (t) => member.client.sendUserCredentials(guest, t));
    await sleep(1_000); // past the idle deadline less the margin, before the appliance's own
    await callWithToken(member.tokens, (t) => member.client.sendUserCredentials(guest, t));
    expect(sim.stats().logins).toBe(2);
    expect(sim.stats().unauthorized).toBe(0);
  });

  it("keeps a token in steady use past the idle timeout, with no extra login", async () => {
    sim = await startSimulator({ port: 0, idleTimeoutMs: 1_000, logger: log.logger });
    member = fleetMember(sim.url, prefix, log.logger, {
      idleTimeoutMs: 1_000,
      refreshMarginMs: 200,
    });
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      await callWithToken(member.tokens, (t) => member.client.sendUserCredentials(guest, t));
      await sleep(100);
    }
    expect(sim.stats().logins).toBe(1);
    expect(sim.stats().unauthorized).toBe(0);
  });

  it("logs in again before the maximum lifetime, however busy the token is", async () => {
    sim = await startSimulator({ port: 0, maxLifetimeMs: 1_500, logger: log.logger });
    member = fleetMember(sim.url, prefix, log.logger, {
      maxLifetimeMs: 1_500,
      refreshMarginMs: 300,
    });
    // Usable life is 1.5 s less the 0.3 s margin: logins at 0 and about 1.2 s within 1.8 s of use.
    const until = Date.now() + 1_800;
    while (Date.now() < until) {
      await callWithToken(member.tokens, (t) => member.client.sendUserCredentials(guest, t));
      await sleep(50);
    }
    expect(sim.stats().logins).toBe(2);
    expect(sim.stats().unauthorized).toBe(0);
  });

  it("recovers through the 401 path when the appliance's timeout is shorter than configured", async () => {
    sim = await startSimulator({ port: 0, idleTimeoutMs: 300, logger: log.logger });
    member = fleetMember(sim.url, prefix, log.logger); // believes the 15-minute default
    await callWithToken(member.tokens, (t) => member.client.sendUserCredentials(guest, t));
    await sleep(500);
    const delivered = await callWithToken(member.tokens, (t) =>
      member.client.sendUserCredentials(guest, t),
    );
    expect(delivered.status).toBe(200);
    expect(sim.stats().unauthorized).toBe(1);
    expect(sim.stats().logins).toBe(2);
  });
});
