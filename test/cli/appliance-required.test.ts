import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCliWithin } from "../support/cli";
import { CLI_CWD } from "../support/processes";
import { testRedisUrl, uniquePrefix } from "../support/redis";
import { WORKER_ENTRY } from "../support/worker-fleet";

const REFUSAL =
  'invalid configuration:\n  AXELNAC_URL: not set: set it to the appliance\'s API origin (e.g. https://nac.example.org:9999), or to "simulator" for the built-in simulator (no real SMS is sent)\n';

describe("the commands that talk to the appliance need AXELNAC_URL", () => {
  let dir: string;
  let file: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "courier-appliance-required-"));
    file = join(dir, "guests.csv");
    writeFileSync(file, "pid,password\nguest-1,Guest-Pw-1\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const env = (axelnacUrl?: string): Record<string, string> => ({
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: uniquePrefix("appliance-required"),
    ...(axelnacUrl === undefined ? {} : { AXELNAC_URL: axelnacUrl }),
  });

  it.each([
    ["worker", "unset", undefined],
    ["worker", "empty", ""],
    ["check", "unset", undefined],
    ["check", "empty", ""],
    ["import FILE --source-id sms --verify-guests", "unset", undefined],
  ])(
    "%s with AXELNAC_URL %s stops with exit 2, naming it and both choices",
    async (command, _, axelnacUrl) => {
      const args = command.split(" ").map((arg) => (arg === "FILE" ? file : arg));
      // Within a bound: a worker that started anyway would run until killed.
      const result = await runCliWithin(15_000, args, env(axelnacUrl));
      expect(result.killed).toBe(false);
      expect(result.stderr).toBe(REFUSAL);
      expect(result.stdout).toBe("");
      expect(result.code).toBe(2);
    },
  );

  it("the worker's own process entry refuses it the same way", () => {
    const result = spawnSync(process.execPath, WORKER_ENTRY, {
      cwd: CLI_CWD,
      env: { PATH: process.env.PATH ?? "", ...env(undefined) },
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(result.stderr).toBe(REFUSAL);
    expect(result.status).toBe(2);
  });

  it("import without --verify-guests does not need it: it only writes to the queue", async () => {
    const result = await runCliWithin(15_000, ["import", file, "--source-id", "sms"], env());
    expect(result.code).toBe(0);
  });
});
