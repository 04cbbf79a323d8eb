import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { freePort, redisServerOnPath } from "../../src/redis/private-server";
import { expectNoSecrets } from "../support/log-sink";
import { CLI_CWD, REPO_ROOT } from "../support/processes";
import { testRedis, testRedisUrl, uniquePrefix } from "../support/redis";

/** The demo must end by itself: a worker, a connection or a server left open would keep it up. */
const EXIT_BOUND_MS = 45_000;

interface DemoRun {
  code: number | null | "still running";
  stdout: string;
  stderr: string;
  /** The sample guests' passwords, read from the demo's file while it ran. */
  passwords: string[];
  csvPath: string | undefined;
}

/** `node dist/src/cli/main.js demo …`, what `npm run demo` runs once the build is done. */
function runDemo(args: string[], env: Record<string, string>): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, "dist", "src", "cli", "main.js"), "demo", ...args],
      {
        env: { LOG_FORMAT: "json", ...env },
        cwd: CLI_CWD,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const run: DemoRun = { code: null, stdout: "", stderr: "", passwords: [], csvPath: undefined };
    child.stdout.on("data", (chunk) => {
      run.stdout += chunk;
      // The file is deleted when the demo ends: read it as soon as the demo names it.
      const path = /^ {2}guests +(\S+\.csv) /m.exec(run.stdout)?.[1];
      if (path && !run.csvPath) {
        run.csvPath = path;
        run.passwords = readFileSync(path, "utf8")
          .trim()
          .split("\n")
          .slice(1)
          .map((line) => line.split(",")[1] ?? "");
      }
    });
    child.stderr.on("data", (chunk) => {
      run.stderr += chunk;
    });
    const timer = setTimeout(() => {
      run.code = "still running";
      child.kill("SIGKILL");
    }, EXIT_BOUND_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (run.code === null) run.code = code;
      resolve(run);
    });
  });
}

function answersOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("axelnac-courier demo", () => {
  const redis = testRedis();

  afterAll(() => redis.disconnect());

  it("delivers 200 sample guests end to end, prints no password, and leaves nothing behind", async () => {
    const prefix = uniquePrefix("demo");
    const queueName = `test-${randomUUID()}`;
    const run = await runDemo(["--guests", "200"], {
      PATH: process.env.PATH ?? "",
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      QUEUE_NAME: queueName,
    });

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^axelnac-courier demo: 200 sample guests, 2 delivery workers$/m);
    expect(run.stdout).toMatch(
      /^ {2}secrets {5}guest passwords and the API token sealed in Redis under k\d{8}-[0-9a-f]{6}, a key of the demo's own$/m,
    );
    expect(run.stdout).toMatch(
      /batch demo-[0-9a-f]+: 200 rows, 200 enqueued, 0 duplicates skipped, 0 rejected/,
    );
    expect(run.stdout).toMatch(/^ {2}delivered +200 of 200$/m);
    expect(run.stdout).toMatch(/^ {2}failed +0$/m);
    expect(run.stdout).toMatch(/^ {2}logins +1 \(one API token shared by 2 workers\)$/m);
    expect(run.stdout).toMatch(/^ {2}rate +\d+ deliveries\/s$/m);

    expect(run.passwords).toHaveLength(200);
    expect(new Set(run.passwords).size).toBe(200);
    expectNoSecrets(run.stdout + run.stderr, run.passwords);

    // Its queue, its keys and its file are gone.
    expect(await redis.keys(`bull:${queueName}-demo-*`)).toEqual([]);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
    expect(run.csvPath && existsSync(dirname(run.csvPath))).toBe(false);
  });

  const withRedisServer = redisServerOnPath() ? it : it.skip;

  withRedisServer(
    "starts a redis-server of its own when none answers, and stops it afterwards",
    async () => {
      const closedPort = await freePort();
      const run = await runDemo(["--guests", "50", "--workers", "1"], {
        PATH: process.env.PATH ?? "",
        REDIS_URL: `redis://127.0.0.1:${closedPort}`,
      });

      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
      const [, port, dir] =
        /no Redis answers at redis:\/\/127\.0\.0\.1:\d+\/?: started a private redis-server at redis:\/\/127\.0\.0\.1:(\d+) \(data in (\S+);/.exec(
          run.stdout,
        ) ?? [];
      expect(port).toBeDefined();
      expect(run.stdout).toMatch(/^ {2}delivered +50 of 50$/m);
      expect(await answersOn(Number(port))).toBe(false);
      expect(existsSync(String(dir))).toBe(false);
    },
  );

  it("without a Redis or a redis-server to start, says how to get one and exits 2", async () => {
    const closedPort = await freePort();
    const run = await runDemo([], {
      PATH: "/nonexistent",
      REDIS_URL: `redis://127.0.0.1:${closedPort}`,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no Redis answers at redis://127.0.0.1:${closedPort}`);
    expect(run.stderr).toContain("apt-get install redis-server");
    expect(run.stderr).toContain("docker run -d -p 6379:6379 redis:7");
    expect(run.stderr).toContain("REDIS_URL=redis://host:6379 npm run demo");
  });

  it("refuses a bad --guests with exit 2", async () => {
    const run = await runDemo(["--guests", "lots"], { PATH: process.env.PATH ?? "" });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^demo: --guests: "lots" is not a whole number from 1 to 1000000/);
  });
});
