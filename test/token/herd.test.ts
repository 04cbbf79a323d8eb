import Redis from "ioredis";
import { startPrivateRedis } from "../../src/redis/private-server";
import { type Simulator, startSimulator } from "../../src/simulator";
import { callWithToken } from "../../src/token";
import { captureLog, expectNoSecrets } from "../support/log-sink";
import { deleteKeys, testRedis, uniquePrefix } from "../support/redis";
import { type FleetMember, fleetMember } from "../support/token-fleet";

const API_PASSWORD = "api-pass-herd-7c21";
const guest = (n: number) => ({
  pid: `guest-${n}`,
  password: `pw-herd-${n}-secret`,
  source_id: "sms",
});

describe("one token for the whole fleet", () => {
  let sim: Simulator;
  let members: FleetMember[];
  const log = captureLog();
  const prefix = uniquePrefix("herd");

  beforeEach(async () => {
    sim = await startSimulator({ port: 0, password: API_PASSWORD, logger: log.logger });
    members = Array.from({ length: 4 }, () =>
      fleetMember(sim.url, prefix, log.logger, { password: API_PASSWORD }),
    );
  });

  const tokensSeen = new Set<string>();
  afterEach(async () => {
    for (const m of members) tokensSeen.add(await m.tokens.getToken());
    await Promise.all(members.map((m) => m.close()));
    await sim.close();
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  afterAll(() => {
    expectNoSecrets(log.text(), [
      API_PASSWORD,
      ...tokensSeen,
      ...Array.from({ length: 200 }, (_, n) => guest(n).password),
    ]);
  });

  it("200 concurrent callers over 4 token managers cause exactly one login after the token dies", async () => {
    // Every member holds the same token first: one login between them.
    await Promise.all(
      members.map((m) => callWithToken(m.tokens, (t) => m.client.sendUserCredentials(guest(0), t))),
    );
    expect(sim.stats().logins).toBe(1);

    sim.revokeAllTokens();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, n) => {
        const m = members[n % members.length] as FleetMember;
        return callWithToken(m.tokens, (t) => m.client.sendUserCredentials(guest(n), t));
      }),
    );

    expect(results).toHaveLength(200);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(sim.stats().logins).toBe(2);
    // The four members read the new token from Redis; none logged in on its own account.
    const tokens = await Promise.all(members.map((m) => m.tokens.getToken()));
    expect(new Set(tokens).size).toBe(1);
  });

  it("a stale 401 does not discard the token another worker just fetched", async () => {
    const [slow, fast] = members as [FleetMember, FleetMember];
    const oldToken = await slow.tokens.getToken();
    expect(await fast.tokens.getToken()).toBe(oldToken);

    sim.revokeAllTokens();
    // The fast worker sees the 401 first and refreshes.
    await callWithToken(fast.tokens, (t) => fast.client.sendUserCredentials(guest(1), t));
    const newToken = await fast.tokens.getToken();
    expect(newToken).not.toBe(oldToken);
    expect(sim.stats().logins).toBe(2);

    // The slow worker's 401 for the old token arrives late.
    await slow.tokens.invalidate(oldToken);
    expect(await slow.tokens.getToken()).toBe(newToken);
    expect(await fast.tokens.getToken()).toBe(newToken);
    await callWithToken(slow.tokens, (t) => slow.client.sendUserCredentials(guest(2), t));
    expect(sim.stats().logins).toBe(2);
  });

  it("the steady state costs no Redis round trip per request", async () => {
    // A Redis of its own: the shared one counts every other test file's commands too.
    const server = await startPrivateRedis({ dirPrefix: "herd-steady-" });
    const member = fleetMember(sim.url, prefix, log.logger, {
      password: API_PASSWORD,
      redis: new Redis(server.url, { maxRetriesPerRequest: null }),
    });
    try {
      await member.tokens.getToken();
      const commands = async () =>
        Number((await member.redis.info("stats")).match(/total_commands_processed:(\d+)/)?.[1]);
      const before = await commands();
      for (let n = 0; n < 500; n++) await member.tokens.getToken();
      const after = await commands();
      // The first INFO is counted once it has run; nothing else talks to this server.
      expect(after - before).toBe(1);
    } finally {
      await member.close();
      await server.destroy();
    }
  });
});
