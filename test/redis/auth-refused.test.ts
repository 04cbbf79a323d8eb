import Redis from "ioredis";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { runCliWithin } from "../support/cli";
import { expectNoSecrets } from "../support/log-sink";
import { WorkerProcess } from "../support/worker-fleet";

/**
 * A Redis that refuses the credentials of REDIS_URL (a wrong password, or none where one is
 * needed) is no unreachable Redis: the commands say so at once, and the worker in a line of its own.
 */
describe("Redis refuses the credentials", () => {
  let server: PrivateRedis;
  const RIGHT = "right-redis-pass-41c";
  const WRONG = "wrong-redis-pass-9e2";
  const url = (password?: string) =>
    password === undefined
      ? server.url
      : server.url.replace("redis://", `redis://operator:${password}@`);
  // The one-shot wait for Redis is 10 s: "at once" is well within half of it.
  const AT_ONCE_MS = 5_000;

  beforeAll(async () => {
    server = await startPrivateRedis({ dirPrefix: "courier-auth-" });
    const admin = new Redis(server.url);
    await admin.call("ACL", "SETUSER", "operator", "on", `>${RIGHT}`, "~*", "&*", "+@all");
    await admin.call("ACL", "SETUSER", "default", "off");
    admin.disconnect();
  });

  afterAll(() => server.destroy());

  it.each([
    ["status", WRONG, "WRONGPASS"],
    ["check", WRONG, "WRONGPASS"],
    ["failed list", undefined, "NOAUTH"],
  ])(
    "%s stops at once with COURIER_REDIS_AUTH_REFUSED (password %s)",
    async (command, password, reply) => {
      const result = await runCliWithin(30_000, command.split(" "), {
        REDIS_URL: url(password),
        AXELNAC_URL: "simulator",
        LOG_LEVEL: "silent",
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `^failed: COURIER_REDIS_AUTH_REFUSED: Redis at redis://(operator:\\*\\*\\*@)?127\\.0\\.0\\.1:\\d+/? refused the credentials of REDIS_URL \\(${reply} .*\\)`,
          "m",
        ),
      );
      expect(result.elapsedMs).toBeLessThan(AT_ONCE_MS);
      expectNoSecrets(result.stdout + result.stderr, [WRONG, RIGHT]);
    },
  );

  it("the worker says so in an error line with the code, and keeps trying", async () => {
    const worker = new WorkerProcess("worker", {
      PATH: process.env.PATH ?? "",
      REDIS_URL: url(WRONG),
      AXELNAC_URL: "simulator",
      LOG_FORMAT: "json",
    });
    try {
      const line = await worker.waitForLog((l) => l.code === "COURIER_REDIS_AUTH_REFUSED");
      expect(line).toMatchObject({
        level: 50,
        redis: expect.stringMatching(/^redis:\/\/operator:\*\*\*@127\.0\.0\.1:\d+/),
        msg: expect.stringMatching(
          /^Redis refused the credentials of REDIS_URL \(WRONGPASS .*\): check its user and password; retrying$/,
        ),
      });
      expect(worker.running).toBe(true);
      expectNoSecrets(worker.output(), [WRONG, RIGHT]);
    } finally {
      await worker.kill();
    }
  });
});
