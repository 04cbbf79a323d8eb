import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runCli } from "../support/cli";
import { CLI_CWD, REPO_ROOT } from "../support/processes";
import { testRedisUrl } from "../support/redis";

/** Where nothing listens: a command that used it would fail, not quietly read another Redis. */
const NOWHERE = "redis://127.0.0.1:1";

/** The line every command writes first on stderr: which Redis and which queue it works on. */
function redisLine(stderr: string): string | undefined {
  return stderr.split("\n").find((line) => line.startsWith("redis "));
}

describe("settings from .env and --env-file", () => {
  const port = new URL(testRedisUrl()).port;
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "courier-env-cwd-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("the tests' commands run where no .env is, so a developer's own cannot change them", () => {
    expect(existsSync(join(CLI_CWD, ".env"))).toBe(false);
  });

  it("status reads REDIS_URL and QUEUE_NAME from .env in its working directory", async () => {
    writeFileSync(join(dir, ".env"), `REDIS_URL=${testRedisUrl()}\nQUEUE_NAME=from-dot-env\n`);
    const result = await runCli(["status"], {}, undefined, { cwd: dir });
    expect(redisLine(result.stderr)).toBe(
      `redis 127.0.0.1:${port} db 0 (no TLS), queue from-dot-env`,
    );
    expect(result.code).toBe(0);
  });

  it("a variable set in the environment wins over .env", async () => {
    writeFileSync(join(dir, ".env"), `REDIS_URL=${NOWHERE}\nQUEUE_NAME=from-dot-env\n`);
    const result = await runCli(["status"], { REDIS_URL: testRedisUrl() }, undefined, {
      cwd: dir,
    });
    expect(redisLine(result.stderr)).toBe(
      `redis 127.0.0.1:${port} db 0 (no TLS), queue from-dot-env`,
    );
    expect(result.code).toBe(0);
  });

  it.each([
    ["before the command name", (file: string) => ["--env-file", file, "status"]],
    ["right after it", (file: string) => ["status", "--env-file", file]],
    ["as --env-file=PATH", (file: string) => [`--env-file=${file}`, "status"]],
  ])("--env-file %s replaces .env", async (_, args) => {
    writeFileSync(join(dir, ".env"), `REDIS_URL=${NOWHERE}\nQUEUE_NAME=from-dot-env\n`);
    writeFileSync(join(dir, "staging.env"), `REDIS_URL=${testRedisUrl()}\n`);
    const result = await runCli(args("staging.env"), {}, undefined, { cwd: dir });
    expect(redisLine(result.stderr)).toBe(
      `redis 127.0.0.1:${port} db 0 (no TLS), queue axelnac-credentials`,
    );
    expect(result.code).toBe(0);
  });

  it("a missing --env-file is exit 2 naming it, also through the installed command", () => {
    // The installed command runs through the file's #! line, which keeps Node from taking
    // --env-file as its own option: run it that way, as npm's bin link does.
    const main = join(REPO_ROOT, "dist", "src", "cli", "main.js");
    chmodSync(main, 0o755);
    const missing = join(dir, "missing.env");
    const result = spawnSync(main, ["--env-file", missing, "status"], {
      cwd: dir,
      env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` },
      encoding: "utf8",
    });
    expect(result.stderr).toBe(`env file ${missing}: no such file\n`);
    expect(result.status).toBe(2);
  });

  it("a malformed line is exit 2 naming the file and the line, never quoting it", async () => {
    writeFileSync(join(dir, ".env"), "QUEUE_NAME=q\nAXELNAC_PASSWORD hunter2\n");
    const result = await runCli(["status"], { REDIS_URL: testRedisUrl() }, undefined, {
      cwd: dir,
    });
    expect(result.stderr).toBe("env file .env: line 2 is not NAME=value (comments start with #)\n");
    expect(result.code).toBe(2);
  });

  it("--env-file without a path is exit 2", async () => {
    const result = await runCli(["status", "--env-file"], {}, undefined, { cwd: dir });
    expect(result.stderr).toBe("--env-file: needs a PATH\n");
    expect(result.code).toBe(2);
  });
});
