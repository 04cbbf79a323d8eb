import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import {
  fleetPauseKey,
  type PauseCause,
  recordFleetPause,
} from "../../src/worker/fleet-pause-record";
import { runCli } from "../support/cli";
import { REPO_ROOT } from "../support/processes";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";

/** Runs the compiled command on a pseudo-terminal (util-linux `script`), as an operator sees it. */
function onTerminal(args: string[], env: Record<string, string>): Promise<string> {
  const command = [process.execPath, join(REPO_ROOT, "dist", "src", "cli", "main.js"), ...args];
  const child = spawn("script", ["-qec", command.join(" "), "/dev/null"], {
    env: { PATH: process.env.PATH ?? "", TERM: "xterm", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", () => resolve(out));
  });
}

describe("status while the fleet is paused", () => {
  const redis = testRedis();
  const prefix = uniquePrefix("cli-status-pause");
  const env = {
    REDIS_URL: testRedisUrl(),
    QUEUE_NAME: `test-${randomUUID()}`,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: "warn",
  };
  const key = fleetPauseKey(prefix, env.QUEUE_NAME);

  afterEach(async () => {
    await redis.del(key);
  });

  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it.each<[PauseCause, string]>([
    [{ cause: "unavailable", code: "AXELNAC_UNREACHABLE" }, "the appliance is unreachable"],
    [
      { cause: "throttled", code: "AXELNAC_THROTTLED", retryAfterMs: 30_000 },
      "the appliance is throttling",
    ],
    [
      { cause: "unavailable", code: "AXELNAC_LOGIN_REJECTED" },
      "the API account was rejected (AXELNAC_USERNAME, AXELNAC_PASSWORD)",
    ],
    [
      { cause: "unavailable", code: "AXELNAC_ACCESS_DENIED" },
      "the API account lacks the rights to send SMS",
    ],
  ])(
    "says why (%j) and how long, in the lines, the JSON and the terminal bar",
    async (cause, words) => {
      // As a worker records it when it pauses the fleet.
      const recordedAt = Date.now();
      await recordFleetPause(redis, key, 60_000, cause);

      const text = await runCli(["status"], env);
      expect(text.code).toBe(0);
      const line = text.stdout.split("\n").find((l) => l.startsWith("paused"));
      expect(line).toMatch(
        new RegExp(`^paused {7}\\d+ s more: ${literally(words)} \\(${cause.code}\\)`),
      );

      const json = JSON.parse((await runCli(["status", "--json"], env)).stdout);
      expect(json.pause).toMatchObject({ ...cause, reason: words });
      // What is left of the 60 s, however long the two commands took to start.
      const leftAtMost = 60_000;
      const leftAtLeast = 60_000 - (Date.now() - recordedAt);
      expect(json.pause.remainingMs).toBeLessThanOrEqual(leftAtMost);
      expect(json.pause.remainingMs).toBeGreaterThanOrEqual(leftAtLeast);

      // The queue is empty: the watch draws its bar once and ends.
      const screen = await onTerminal(["status", "--watch"], env);
      expect(screen).toMatch(new RegExp(`\\[[█░]+\\] .*paused \\d+ s more: ${literally(words)}`));
    },
  );
});

function literally(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
