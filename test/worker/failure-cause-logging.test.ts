import { Queue } from "bullmq";
import { ApplianceUnreachableError, LoginRejectedError } from "../../src/axelnac/errors";
import { LoginBackoffError } from "../../src/token";
import { FleetPause } from "../../src/worker/fleet-pause";
import { captureLog } from "../support/log-sink";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { fleetMember } from "../support/token-fleet";
import { sleep } from "../support/wait";

const ERROR = 50;

const refused = () =>
  new ApplianceUnreachableError("AxelNAC refused the connection", { operation: "login" });
const resetByProxy = () =>
  new ApplianceUnreachableError("AxelNAC answered 502 Bad Gateway", {
    operation: "login",
    status: 502,
  });

function errorLines(lines: Record<string, unknown>[], startsWith: string) {
  return lines.filter((l) => l.level === ERROR && String(l.msg).startsWith(startsWith));
}

describe("a failure whose cause changes while its code stays the same", () => {
  const redis = testRedis();
  const prefix = uniquePrefix("failure-cause");

  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("login: the first failure and each change of cause are errors; a repeat of the same cause is not", async () => {
    const log = captureLog();
    const failures = [refused(), refused(), resetByProxy(), resetByProxy(), refused()];
    const member = fleetMember("http://127.0.0.1:9", `${prefix}:login`, log.logger, {
      login: async () => {
        throw failures.shift() ?? new LoginRejectedError("no more", { operation: "login" });
      },
      loginBackoff: { initialMs: 1, maxMs: 1 },
    });
    try {
      for (let n = 0; n < 5; n++) {
        // Past the 1 ms back-off, each call is a login of its own.
        await sleep(5);
        const error = await member.tokens.getToken().catch((e: unknown) => e);
        expect(error).not.toBeInstanceOf(LoginBackoffError);
      }
    } finally {
      await member.close();
    }
    const messages = errorLines(log.lines(), "login to AxelNAC failed").map((l) => l.msg);
    expect(messages).toEqual([
      expect.stringContaining("refused the connection"),
      expect.stringContaining("502 Bad Gateway"),
      expect.stringContaining("refused the connection"),
    ]);
    const repeats = log
      .lines()
      .filter((l) => l.level !== ERROR && String(l.msg).startsWith("login to AxelNAC failed"));
    expect(repeats).toHaveLength(2);
  });

  it("fleet pause: the first outage and each change of cause are errors, even while a pause runs", async () => {
    const log = captureLog();
    const queue = new Queue(`cause-${Date.now()}`, {
      connection: { url: testRedisUrl() },
      prefix: `${prefix}:bull`,
    });
    const processPausing = (pauseMs: number) =>
      new FleetPause({
        queue,
        redis,
        keyPrefix: prefix,
        initialPauseMs: pauseMs,
        maxPauseMs: pauseMs,
        throttlePauseMaxMs: 1_000,
        logger: log.logger,
        workersHaveLimiter: true,
      });
    const pause = processPausing(1);
    try {
      const causes = [refused(), refused(), resetByProxy(), resetByProxy(), refused()];
      for (const cause of causes) {
        await sleep(5);
        await pause.unavailable(cause);
      }
      // Another process starts a long pause; a different cause reported while it runs is news too.
      await sleep(5);
      await processPausing(60_000).unavailable(resetByProxy());
      await pause.unavailable(refused());
      await pause.unavailable(refused());
    } finally {
      await queue.close();
    }
    const messages = errorLines(log.lines(), "AxelNAC unavailable to every job").map((l) => l.msg);
    expect(messages).toEqual([
      expect.stringContaining("refused the connection"),
      expect.stringContaining("502 Bad Gateway"),
      expect.stringContaining("refused the connection"),
      expect.stringContaining("502 Bad Gateway"),
      expect.stringContaining("refused the connection"),
    ]);
  });

  it("fleet pause: jobs in flight failing with the same cause for different guests are one report", async () => {
    const log = captureLog();
    const queue = new Queue(`same-cause-${Date.now()}`, {
      connection: { url: testRedisUrl() },
      prefix: `${prefix}:bull`,
    });
    const pause = new FleetPause({
      queue,
      redis,
      keyPrefix: prefix,
      initialPauseMs: 1,
      maxPauseMs: 1,
      throttlePauseMaxMs: 1_000,
      logger: log.logger,
      workersHaveLimiter: true,
    });
    const sendRefused = (pid: string) =>
      new ApplianceUnreachableError(
        `send_user_credentials for pid ${JSON.stringify(pid)} failed: connect ECONNREFUSED`,
        { operation: "send", pid },
      );
    try {
      for (const pid of ["alice", "bob", "carol"]) {
        await sleep(5);
        await pause.unavailable(sendRefused(pid));
      }
    } finally {
      await queue.close();
    }
    expect(errorLines(log.lines(), "AxelNAC unavailable to every job")).toHaveLength(1);
  });
});
