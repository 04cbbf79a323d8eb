import { type Simulator, startSimulator } from "../../src/simulator";
import { LoginBackoffError } from "../../src/token";
import { captureLog, expectNoSecrets } from "../support/log-sink";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";
import { type FleetMember, fleetMember } from "../support/token-fleet";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const WRONG_PASSWORD = "not-the-api-password-9f1c";

describe("a rejected login", () => {
  let sim: Simulator;
  let members: FleetMember[];
  const log = captureLog();
  const prefix = uniquePrefix("login-rejected");

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, logger: log.logger });
    members = Array.from({ length: 3 }, () =>
      fleetMember(sim.url, prefix, log.logger, {
        password: WRONG_PASSWORD,
        loginBackoff: { initialMs: 1_000, maxMs: 10_000 },
      }),
    );
  });

  afterAll(async () => {
    await Promise.all(members.map((m) => m.close()));
    await sim.close();
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("is a systemic error for every caller, after one login attempt fleet-wide", async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, n) => (members[n % 3] as FleetMember).tokens.getToken()),
    );
    expect(outcomes.every((o) => o.status === "rejected")).toBe(true);
    const errors = outcomes.map(
      (o) => (o as PromiseRejectedResult).reason as { code: string; failureClass: string },
    );
    expect(new Set(errors.map((e) => e.failureClass))).toEqual(new Set(["systemic"]));
    expect(errors.some((e) => e.code === "AXELNAC_LOGIN_REJECTED")).toBe(true);
    expect(
      errors
        .filter((e) => e.code !== "AXELNAC_LOGIN_REJECTED")
        .every((e) => e instanceof LoginBackoffError),
    ).toBe(true);
    expect(sim.stats().loginFailures).toBe(1);
  });

  it("backs off between attempts instead of storming the appliance", async () => {
    // Keep asking for 3.5 s: with back-off doubling from 1 s, the fleet tries at about 1 s and 3 s.
    const until = Date.now() + 3_500;
    while (Date.now() < until) {
      await Promise.allSettled(members.map((m) => m.tokens.getToken()));
      await sleep(25);
    }
    expect(sim.stats().loginFailures).toBeGreaterThanOrEqual(2);
    expect(sim.stats().loginFailures).toBeLessThanOrEqual(3);
  });

  it("says so in one clear log line, without the password", () => {
    const errorLines = log
      .lines()
      .filter((l) => l.level === 50 && String(l.msg).startsWith("login to AxelNAC failed"));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]?.code).toBe("AXELNAC_LOGIN_REJECTED");
    // No login of this fleet ever succeeded: wrong credentials is the whole story.
    expect(String(errorLines[0]?.msg)).toBe(
      "login to AxelNAC failed: login rejected: 401 Wasn't able to authenticate those credentials (AXELNAC_LOGIN_REJECTED)",
    );
    expectNoSecrets(log.text(), [WRONG_PASSWORD]);
  });
});

describe("a login refused soon after one with the same account succeeded", () => {
  const log = captureLog();
  const prefix = uniquePrefix("login-busy");
  let sim: Simulator;
  let member: FleetMember;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, logger: log.logger });
    member = fleetMember(sim.url, prefix, log.logger);
  });

  afterAll(async () => {
    await member.close();
    await sim.close();
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("does not claim only wrong credentials: it names a busy appliance and the account kind that avoids it", async () => {
    await member.tokens.getToken();
    // What the courier sees of an appliance too busy to check an internal-source administrator:
    // the same 401 as for a wrong password. Here the account's password changes under it.
    sim.setAccount({ username: "admin", password: "changed-elsewhere", adminActions: [] });
    sim.revokeAllTokens();
    await member.tokens.invalidate(await member.tokens.getToken());

    const error = await member.tokens.getToken().then(
      () => undefined,
      (thrown: unknown) => thrown as Error & { code: string; failureClass: string },
    );
    expect(error).toMatchObject({ code: "AXELNAC_LOGIN_REJECTED", failureClass: "systemic" });
    expect(error?.message).toMatch(
      /^login rejected: 401 Wasn't able to authenticate those credentials, though a login with the same account succeeded \d+s ago: either its password changed, or the appliance was too busy to check it \(.*the \[webservices\] account of pf\.conf is checked in memory.*\) \(AXELNAC_LOGIN_REJECTED\)$/,
    );
    const line = log.lines().find((l) => l.level === 50 && l.code === "AXELNAC_LOGIN_REJECTED");
    expect(String(line?.msg)).toContain("too busy to check it");
    expectNoSecrets(log.text(), ["changed-elsewhere"]);
  });
});
