import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { stderrBeyondTarget } from "../support/cli";
import { CLI_CWD, REPO_ROOT } from "../support/processes";
import { testRedisUrl, uniquePrefix } from "../support/redis";

/**
 * Runs the built command with its standard output read by nobody, as `status | head -1` leaves it
 * once head has its line: the reader is gone before the command's first write, so that the write
 * meets the closed pipe every time, not only when the reader happens to be quick.
 */
function runIntoClosedPipe(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, "dist", "src", "cli", "main.js"), ...args],
      {
        env: { PATH: process.env.PATH ?? "", LOG_FORMAT: "json", ...env },
        cwd: CLI_CWD,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe("a command whose output pipe is closed", () => {
  const env = {
    REDIS_URL: testRedisUrl(),
    QUEUE_NAME: `test-${randomUUID()}`,
    REDIS_KEY_PREFIX: uniquePrefix("closed-pipe"),
  };

  it.each([
    [["status"]],
    [["status", "--json"]],
    [["failed", "list"]],
    [["failed", "list", "--json"]],
    [["keys", "status"]],
    [["keys", "generate"]],
    [["--help"]],
    [["failed", "--help"]],
  ])(
    "%j exits quietly, with the code of a command stopped by a closed pipe (141)",
    async (args) => {
      const result = await runIntoClosedPipe(args, env);
      expect({ ...result, stderr: stderrBeyondTarget(result.stderr) }).toEqual({
        code: 141,
        signal: null,
        stderr: "",
      });
    },
  );

  it("under `| head -1` in a shell, head prints the first line and the command says nothing", () => {
    const main = join(REPO_ROOT, "dist", "src", "cli", "main.js");
    const result = spawnSync(
      "bash",
      [
        "--noprofile",
        "--norc",
        "-c",
        `set -o pipefail; "${process.execPath}" "${main}" keys status | head -1`,
      ],
      {
        env: { PATH: process.env.PATH ?? "", LOG_FORMAT: "json", ...env },
        cwd: CLI_CWD,
        encoding: "utf8",
      },
    );
    expect(result.stdout).toBe("key ring     none (JOB_ENCRYPTION_KEYS is not set)\n");
    expect(stderrBeyondTarget(result.stderr)).toBe("");
    // Whether the command wrote its last line before head went is up to the scheduler.
    expect([0, 141]).toContain(result.status);
  });
});
