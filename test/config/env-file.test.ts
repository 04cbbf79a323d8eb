import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, requireAppliance } from "../../src/config/config";
import { applyEnvFile, firstMalformedLine } from "../../src/config/env-file";
import { REPO_ROOT } from "../support/processes";

describe("firstMalformedLine", () => {
  it("accepts blank lines, comments, export, spaces around = and quoted values over several lines", () => {
    const text = [
      "# a comment",
      "   # an indented comment",
      "",
      "   ",
      "REDIS_URL=redis://127.0.0.1:6379",
      "export QUEUE_NAME=sms",
      "  LOG_LEVEL = warn ",
      'JOB_ENCRYPTION_KEYS="k1:abc',
      "k2:def",
      '"',
      "AXELNAC_PASSWORD='a b # c'",
      "EMPTY=",
      "",
    ].join("\n");
    expect(firstMalformedLine(text)).toBeUndefined();
  });

  it.each([
    ["a line without =", "A=1\nREDIS_URL redis://x\nB=2\n", 2],
    ["a name with a space", "A=1\nB=2\nQUEUE NAME=x\n", 3],
    ["a name starting with a digit", "1A=1\n", 1],
    ["Windows line ends", "A=1\r\nnot an assignment\r\n", 2],
    ["a line after a value quoted and closed on its own line", 'A="x"\nnot an assignment\n', 2],
  ])("names the line of %s", (_, text, line) => {
    expect(firstMalformedLine(text)).toBe(line);
  });
});

describe("applyEnvFile", () => {
  let dir: string;
  const cwd = process.cwd();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "courier-env-file-"));
  });
  afterEach(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  it("sets what the environment leaves unset, and keeps what it sets, even to empty", () => {
    const file = join(dir, "settings.env");
    writeFileSync(file, "QUEUE_NAME=from-file\nLOG_LEVEL=debug\nAXELNAC_URL=http://file\n");
    const env: NodeJS.ProcessEnv = { LOG_LEVEL: "warn", AXELNAC_URL: "" };
    expect(applyEnvFile(file, env)).toBe(file);
    expect(env).toEqual({ QUEUE_NAME: "from-file", LOG_LEVEL: "warn", AXELNAC_URL: "" });
  });

  it("reads .env from the working directory, and nothing when there is none", () => {
    process.chdir(dir);
    const env: NodeJS.ProcessEnv = {};
    expect(applyEnvFile(undefined, env)).toBeUndefined();
    expect(env).toEqual({});
    writeFileSync(join(dir, ".env"), "QUEUE_NAME=from-dot-env\n");
    expect(applyEnvFile(undefined, env)).toBe(".env");
    expect(env).toEqual({ QUEUE_NAME: "from-dot-env" });
  });

  it("refuses a ./.env it cannot read, even though it was not named", () => {
    process.chdir(dir);
    mkdirSync(join(dir, ".env"));
    expect(() => applyEnvFile(undefined, {})).toThrow("env file .env: cannot read it (EISDIR)");
  });

  it("refuses a named file that does not exist, naming it", () => {
    const missing = join(dir, "missing.env");
    expect(() => applyEnvFile(missing, {})).toThrow(`env file ${missing}: no such file`);
  });

  it("refuses a malformed line by its number, without quoting it (it may hold a password)", () => {
    const file = join(dir, "bad.env");
    writeFileSync(file, "QUEUE_NAME=q\nAXELNAC_PASSWORD hunter2\n");
    const env: NodeJS.ProcessEnv = {};
    expect(() => applyEnvFile(file, env)).toThrow(
      `env file ${file}: line 2 is not NAME=value (comments start with #)`,
    );
    expect(() => applyEnvFile(file, env)).not.toThrow(/hunter2/);
    expect(env).toEqual({});
  });

  it("reads a copy of .env.example as it is: a valid configuration, for the simulator", () => {
    const env: NodeJS.ProcessEnv = {};
    applyEnvFile(join(REPO_ROOT, ".env.example"), env);
    const config = loadConfig(env);
    expect(config.axelnac.url).toBe("simulator");
    expect(() => requireAppliance(config)).not.toThrow();
  });
});
