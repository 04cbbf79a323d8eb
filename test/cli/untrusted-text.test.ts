import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FailedJobView } from "../../src/batches/failed-jobs";
import { loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/logging/logger";
import { connectOperator, type OperatorConnections } from "../../src/wiring/operator";
import { type CliResult, runCli } from "../support/cli";
import { runCommand } from "../support/command-in-process";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { type StandIn, startWebServer } from "../support/stand-ins";
import { waitUntil } from "../support/wait";
import { WorkerProcess, workerEnv } from "../support/worker-fleet";

/**
 * Text a hostile producer, appliance or file can plant: a window title (OSC), a line erased and
 * overwritten, a forged line, a right-to-left override. No ':' in it, so that it can be a key id.
 */
const EVIL = "evil\x1b]0;pwned\x07\x1b[2K\rforged\nline\u202eend";
const SHOWN = "evil\\x1b]0;pwned\\x07\\x1b[2K\\rforged\\nline\\u202eend";

/** Fails with the offending text when any raw control of EVIL reached the output. */
function expectNeutralised(what: string, text: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the raw controls are what is looked for
  const raw = /[\x1b\x07\r\u202e]|forged\nline/.exec(text);
  if (raw)
    throw new Error(`${what} printed ${JSON.stringify(raw[0])} raw:\n${JSON.stringify(text)}`);
}

describe("untrusted text reaches no terminal or log raw", () => {
  const redis = testRedis();
  const queueName = `test-${randomUUID()}`;
  const prefix = uniquePrefix("untrusted");
  const dir = mkdtempSync(join(tmpdir(), "untrusted-text-"));
  let appliance: StandIn;
  let env: Record<string, string>;
  let operator: OperatorConnections;
  let worker: WorkerProcess;

  /**
   * The text each command prints, as it prints it to a terminal or a pipe: in this process, but
   * for `check`, whose log goes to the process' own stdout.
   */
  const cli = async (args: string[], input?: string): Promise<CliResult> => {
    const result = await (args[0] === "check" ? runCli : runCommand)(args, env, input);
    expectNeutralised(`${args.slice(0, 2).join(" ")} (stdout)`, result.stdout);
    expectNeutralised(`${args.slice(0, 2).join(" ")} (stderr)`, result.stderr);
    return result;
  };

  beforeAll(async () => {
    // An appliance that logs the courier in, then answers every send with a hostile message.
    appliance = await startWebServer((_method, path) =>
      path.endsWith("/login")
        ? {
            status: 200,
            type: "application/json",
            body: JSON.stringify({ token: "tok-0123456789" }),
          }
        : {
            status: 404,
            type: "application/json",
            body: JSON.stringify({ message: EVIL, status: 404 }),
          },
    );
    env = {
      REDIS_URL: testRedisUrl(),
      QUEUE_NAME: queueName,
      REDIS_KEY_PREFIX: prefix,
      AXELNAC_URL: appliance.url,
      AXELNAC_USERNAME: "admin",
      AXELNAC_PASSWORD: "admin",
      AXELNAC_SOURCE_ID: "sms",
      LOG_LEVEL: "warn",
    };
    operator = await connectOperator(loadConfig(env), createLogger({ level: "silent" }));
    worker = new WorkerProcess(
      "pretty worker",
      workerEnv({
        redisUrl: testRedisUrl(),
        queueName,
        keyPrefix: prefix,
        applianceUrl: appliance.url,
        apiUsername: "admin",
        apiPassword: "admin",
        settings: { LOG_FORMAT: "pretty" },
      }),
    );
  });

  afterAll(async () => {
    await worker.stop();
    await operator.close();
    await appliance.close();
    await deleteKeys(redis, `bull:${queueName}:`);
    await deleteKeys(redis, prefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a hostile pid, reference, reason and key id are shown escaped by failed list, keys status and the pretty logs", async () => {
    // A reference is free text: enqueue takes it. A pid is not: a plain producer puts it there.
    const enqueued = await cli([
      "enqueue",
      ...["--pid", "guest-1", "--reference", EVIL, "--batch", "evil", "--password", "pw-1x"],
    ]);
    expect(enqueued.code).toBe(0);
    const refused = await cli(["enqueue", "--pid", EVIL, "--password", "pw-1x"]);
    expect(refused.code).toBe(2);
    await operator.queue.add("send-credentials", {
      pid: EVIL,
      reference: EVIL,
      password: "pw-2x",
      source_id: "sms",
      batch_id: "evil",
    });
    await operator.queue.add("send-credentials", {
      pid: "guest-3",
      password: `enc:v1:${EVIL}:AAAA`,
      source_id: "sms",
    });
    await waitUntil(async () => (await operator.queue.getFailedCount()) === 2, {
      timeoutMs: 20_000,
      what: "both deliveries failed",
    });

    const listed = await cli(["failed", "list", "--batch", "evil"]);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `reference ${escapeRegExp(SHOWN)}  pid guest-1  AXELNAC_GUEST_NOT_FOUND  .* 404 ${escapeRegExp(SHOWN)} `,
        ),
      ),
    );
    expect(lines).toContainEqual(
      expect.stringContaining(`reference ${SHOWN}  pid ${SHOWN}  COURIER_INVALID_JOB  `),
    );

    // JSON keeps the exact values for scripts, with the controls escaped as JSON does.
    const json = await cli(["failed", "list", "--batch", "evil", "--json"]);
    const views = JSON.parse(json.stdout) as FailedJobView[];
    expect(views.map((v) => [v.pid, v.reference]).sort()).toEqual([
      [EVIL, EVIL],
      ["guest-1", EVIL],
    ]);

    const keys = await cli(["keys", "status"]);
    expect(keys.stdout).toContain(`  ${SHOWN}  `);
    const keysJson = await cli(["keys", "status", "--json"]);
    expect(Object.keys(JSON.parse(keysJson.stdout).jobs)).toContain(EVIL);

    expect((await cli(["status"])).code).toBe(0);
    // check asks the hostile appliance about its token, and says what it answered.
    expect((await cli(["check"])).stderr).toContain(`404 ${SHOWN} (`);

    // The worker's pretty lines: the hostile pid and key id, escaped, on one line each.
    await waitUntil(() => worker.output().includes(`sealed under key ${SHOWN}`), {
      timeoutMs: 10_000,
      what: "the missing key's line",
      describe: () => worker.output(),
    });
    await waitUntil(() => worker.output().includes(SHOWN.slice(0, 40)), {
      timeoutMs: 10_000,
      what: "the invalid job's line",
      describe: () => worker.output(),
    });
    // Its own colours aside (SGR sequences of pino-pretty), nothing of EVIL is raw.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: pino-pretty's colours start with ESC
    const colours = /\x1b\[\d{1,2}m/g;
    expectNeutralised("the pretty worker", worker.output().replace(colours, ""));
  });

  it("a field longer than 200 characters is cut, with the rest counted", async () => {
    await operator.queue.add("send-credentials", {
      pid: `long-${"p".repeat(995)}`,
      reference: "r".repeat(5_000),
      password: "pw-3x",
      source_id: "sms",
      batch_id: "long",
    });
    await waitUntil(async () => (await operator.queue.getFailedCount()) === 3, {
      timeoutMs: 20_000,
      what: "the long job failed",
    });
    const listed = await cli(["failed", "list", "--batch", "long"]);
    expect(listed.stdout).toContain(
      `reference ${"r".repeat(200)}…(824 more)  pid long-${"p".repeat(195)}…(800 more)  `,
    );
  });

  it("a hostile header is shown escaped by import", async () => {
    const file = join(dir, "hostile.csv");
    writeFileSync(file, `"${EVIL.replaceAll('"', '""')}",password\nx,y\n`);
    const imported = await cli(["import", file, "--dry-run"]);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain(`"${SHOWN}", "password"`);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
