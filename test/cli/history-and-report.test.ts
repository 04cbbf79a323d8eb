import { randomUUID } from "node:crypto";
import type Redis from "ioredis";
import { loadConfig } from "../../src/config/config";
import { type DeliveryRecord, deliveryRecordSchema } from "../../src/history/delivery-record";
import { historyKeys } from "../../src/history/history-keys";
import { readRecordsOfBatch } from "../../src/history/history-reader";
import { createLogger } from "../../src/logging/logger";
import { type Simulator, startSimulator } from "../../src/simulator";
import { type ConnectedProducer, connectDeliveryProducer } from "../../src/wiring/producer";
import { type RunningDeliveryWorker, startDeliveryWorker } from "../../src/worker/start";
import { type CliResult, runCli, stderrBeyondTarget } from "../support/cli";
import { runCommand } from "../support/command-in-process";
import { expectNoSecrets } from "../support/log-sink";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { waitUntil } from "../support/wait";

/** A reference a spreadsheet would run as a formula, and one that would rewrite a terminal. */
const FORMULA = '=HYPERLINK("http://evil.example","click")';
const ESCAPE = "REG-1\u001b]0;pwned\u0007";

const guest = (pid: string, reference: string) => ({
  pid,
  password: `history-test-pw-${randomUUID()}`,
  source_id: "sms",
  reference,
});

/** guest-1 … guest-3 exist on the appliance; ghost-1 does not (404). guest-3 is due in an hour. */
const DUE_NOW = [guest("guest-1", ESCAPE), guest("guest-2", FORMULA), guest("ghost-1", "REG-3")];
const LATER = guest("guest-3", "REG-4");

describe("axelnac-courier history and report", () => {
  const redis: Redis = testRedis();
  const queueName = `test-${randomUUID()}`;
  const prefix = uniquePrefix("cli-history");
  const logger = createLogger({ level: "silent" });
  const outputs: CliResult[] = [];
  let sim: Simulator;
  let env: Record<string, string>;
  let producer: ConnectedProducer;
  let worker: RunningDeliveryWorker | undefined;
  let records: DeliveryRecord[];

  /** In this process: the commands' behaviour. The last test runs them as the binary. */
  const cli = async (...args: string[]) => {
    const result = await runCommand(args, env);
    outputs.push(result);
    return result;
  };

  /** A command that worked: exit 0, nothing on stderr but the Redis line (and `extra`). */
  const ok = async (...args: string[]) => {
    const result = await cli(...args);
    expect({ code: result.code, stderr: stderrBeyondTarget(result.stderr) }).toEqual({
      code: 0,
      stderr: expect.any(String),
    });
    return result;
  };

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      guests: new Map(["guest-1", "guest-2", "guest-3"].map((pid) => [pid, "+79990001122"])),
    });
    env = {
      REDIS_URL: testRedisUrl(),
      QUEUE_NAME: queueName,
      REDIS_KEY_PREFIX: prefix,
      AXELNAC_URL: sim.url,
      AXELNAC_USERNAME: "admin",
      AXELNAC_PASSWORD: "admin",
      DELIVERY_ATTEMPTS: "2",
      SHUTDOWN_TIMEOUT: "5s",
      LOG_LEVEL: "warn",
    };
    const config = loadConfig(env);
    producer = await connectDeliveryProducer(config, logger);
    worker = await startDeliveryWorker(config, logger);
    const batch = (g: ReturnType<typeof guest>) => ({ ...g, batch_id: "expo" });
    await producer.producer.enqueueMany(DUE_NOW.map(batch));
    await producer.producer.enqueueMany([batch(LATER)], {
      sendAt: new Date(Date.now() + 3_600_000),
    });
    const keys = historyKeys(prefix, queueName);
    await waitUntil(
      async () => {
        records = await readRecordsOfBatch(redis, keys, "expo", 10);
        return records.length === 3;
      },
      { timeoutMs: 30_000, what: "3 records of batch expo" },
    );
  });

  afterAll(async () => {
    await worker?.close();
    await producer.close();
    await sim.close();
    await deleteKeys(redis, `bull:${queueName}:`);
    await deleteKeys(redis, `${prefix}:`);
    redis.disconnect();
    const everything = outputs.map((o) => o.stdout + o.stderr).join("\n");
    expectNoSecrets(
      everything,
      [...DUE_NOW, LATER].map((g) => g.password),
    );
  });

  describe("history", () => {
    it("shows a batch's deliveries newest first, one line each, untrusted text made safe", async () => {
      const { stdout } = await ok("history", "--batch", "expo");
      const lines = stdout.trimEnd().split("\n");
      expect(lines).toHaveLength(3);
      expect(lines.map((line) => / {2}pid (\S+) {2}/.exec(line)?.[1])).toEqual(
        records.map((r) => r.pid),
      );
      const failed = records.find((r) => r.pid === "ghost-1") as DeliveryRecord;
      const failedLine = lines.find((line) => line.includes("pid ghost-1")) as string;
      // After the local time of the finish (19 characters) and two spaces:
      expect(failedLine.slice(21)).toBe(
        [
          "failed",
          "pid ghost-1",
          "reference REG-3",
          "batch expo",
          "attempts 1",
          "AXELNAC_GUEST_NOT_FOUND",
          failed.message,
          `appliance 404 ${failed.applianceMessage}`,
          `job ${failed.jobId}`,
        ].join("  "),
      );
      for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}/);
      expect(stdout).toContain("reference REG-1\\x1b]0;pwned\\x07");
      expect(stdout).not.toContain("\u001b");
      expect(lines.find((l) => l.includes("guest-1"))).toMatch(
        / {2}delivered {2}pid guest-1 {2}.* {2}attempts 1 {2}appliance 200 .* {2}job expo~/,
      );
    });

    it("prints JSON lines with --json: each a whole delivery record", async () => {
      const { stdout } = await ok("history", "--pid", "ghost-1", "--json");
      const lines = stdout.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      const record = deliveryRecordSchema.parse(JSON.parse(lines[0] as string));
      expect(record).toEqual(records.find((r) => r.pid === "ghost-1"));
      expect(record).toMatchObject({
        batchId: "expo",
        reference: "REG-3",
        outcome: "failed",
        code: "AXELNAC_GUEST_NOT_FOUND",
        applianceStatus: 404,
      });
      // JSON keeps the value exact, yet no raw control character reaches the terminal.
      const escaped = await ok("history", "--pid", "guest-1", "--json");
      expect(escaped.stdout).not.toContain("\u001b");
      expect(JSON.parse(escaped.stdout).reference).toBe(ESCAPE);
    });

    it("finds a delivery by reference and by job id", async () => {
      const byReference = await ok("history", "--reference", FORMULA, "--json");
      const [found] = byReference.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(found).toMatchObject({ pid: "guest-2", outcome: "delivered" });
      const byJob = await ok("history", "--job", found.jobId, "--json");
      expect(JSON.parse(byJob.stdout)).toEqual(found);
    });

    it("gives the newest N with --limit", async () => {
      const { stdout } = await ok("history", "--batch", "expo", "--limit", "1", "--json");
      expect(
        stdout
          .trimEnd()
          .split("\n")
          .map((l) => JSON.parse(l).jobId),
      ).toEqual([records[0]?.jobId]);
    });

    it("says when nothing is recorded, and how long records are kept", async () => {
      const { stdout } = await ok("history", "--pid", "guest-3");
      expect(stdout).toBe(
        "no delivery recorded for pid guest-3 (records are kept 90d after a delivery finishes)\n",
      );
      const json = await ok("history", "--job", "no-such-job", "--json");
      expect(json.stdout).toBe("");
      expect(stderrBeyondTarget(json.stderr)).toMatch(/^no delivery recorded for job no-such-job/);
    });

    it.each([
      [[], /say whose deliveries: --pid P, --reference R, --batch ID or --job ID/],
      [
        ["--pid", "a", "--batch", "b"],
        /give only one of --pid, --reference, --batch and --job \(got --pid, --batch\)/,
      ],
      [["--pid", ""], /--pid needs a value/],
      [["--pid", "a", "--limit", "0"], /--limit: "0" is not a whole number of 1 or more/],
      [["--pid", "a", "--limit", "ten"], /--limit: "ten" is not a whole number of 1 or more/],
      [["--job", "1", "--limit", "2"], /--limit goes with --pid, --reference or --batch/],
      [["--batch", "a~b"], /--batch: "a~b" /],
      [["--pid", "a", "--everything"], /Unknown option '--everything'/],
    ])("refuses %j with exit 2, naming the problem", async (args, problem) => {
      const result = await cli("history", ...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(problem);
      expect(result.stderr).toMatch(/^history: .*\nusage: axelnac-courier history/);
      expect(result.stdout).toBe("");
    });

    it("prints its usage with --help", async () => {
      const result = await cli("history", "--help");
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^usage: axelnac-courier history \(--pid P/);
    });
  });

  describe("report", () => {
    it("writes one CSV row per guest: delivered, failed and pending, formulas neutralised", async () => {
      const { stdout, stderr } = await ok("report", "--batch", "expo");
      expect(
        stdout.startsWith(
          "\uFEFFpid,reference,outcome,code,message,appliance_status,attempts,enqueued_at,finished_at,job_id\r\n",
        ),
      ).toBe(true);
      const rows = stdout.slice(1).split("\r\n").slice(1, -1);
      expect(rows.map((row) => row.split(",")[0])).toEqual([
        "ghost-1",
        "guest-1",
        "guest-2",
        "guest-3",
      ]);
      const byPid = new Map(records.map((r) => [r.pid, r]));
      const ghost = byPid.get("ghost-1") as DeliveryRecord;
      expect(rows[0]).toBe(
        `ghost-1,REG-3,failed,AXELNAC_GUEST_NOT_FOUND,${csvCell(ghost.message as string)},404,1,${ghost.enqueuedAt},${ghost.finishedAt},${ghost.jobId}`,
      );
      const two = byPid.get("guest-2") as DeliveryRecord;
      expect(rows[2]).toBe(
        `guest-2,"'=HYPERLINK(""http://evil.example"",""click"")",delivered,,${csvCell(two.applianceMessage as string)},200,1,${two.enqueuedAt},${two.finishedAt},${two.jobId}`,
      );
      // A pending guest: no delivery has finished, so nothing but the pid and the outcome.
      expect(rows[3]).toBe("guest-3,,pending,,,,,,,");
      // Every cell a spreadsheet would run as a formula starts with a quote.
      expect(stdout).not.toMatch(/(^|,)"?[=+@]/m);
      expect(stderrBeyondTarget(stderr)).toBe(
        "batch expo: 4 guests: 2 delivered, 1 failed, 0 cancelled, 1 pending\n",
      );
    });

    it("refuses a batch the queue never had with exit 2", async () => {
      const result = await cli("report", "--batch", "nope");
      expect(result.code).toBe(2);
      expect(stderrBeyondTarget(result.stderr)).toBe(
        'report: no batch "nope" in this queue (batches are listed by `axelnac-courier status`)\n',
      );
      expect(result.stdout).toBe("");
    });

    it.each([
      [[], /report: --batch ID is required/],
      [["--batch", "a:b"], /report: --batch: "a:b" /],
      [["--batch", "x", "--json"], /Unknown option '--json'/],
    ])("refuses %j with exit 2", async (args, problem) => {
      const result = await cli("report", ...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(problem);
      expect(result.stderr).toMatch(/usage: axelnac-courier report --batch ID/);
    });
  });

  it("history and report change nothing in Redis", async () => {
    await worker?.close();
    worker = undefined;
    const before = await dumpOurKeys();
    await ok("history", "--batch", "expo");
    await ok("history", "--job", records[0]?.jobId as string);
    await ok("report", "--batch", "expo");
    await cli("report", "--batch", "nope");
    expect(await dumpOurKeys()).toEqual(before);
  });

  it("run as processes, history and report print what they print in-process and exit 0, or 2 when refused", async () => {
    for (const args of [
      ["history", "--batch", "expo"],
      ["history", "--pid", "a", "--limit", "0"],
      ["report", "--batch", "expo"],
      ["report", "--batch", "nope"],
    ]) {
      const spawned = await runCli(args, env);
      outputs.push(spawned);
      expect(spawned).toEqual(await cli(...args));
      expect(spawned.code).toBe(args.includes("expo") ? 0 : 2);
    }
  });

  /** Every key of this test's queue and prefix, with its value (the suite's Redis is shared). */
  async function dumpOurKeys(): Promise<Record<string, unknown>> {
    // BullMQ's stalled-check mark expires by itself a moment after the worker stops.
    const names = [
      ...(await redis.keys(`bull:${queueName}:*`)),
      ...(await redis.keys(`${prefix}:*`)),
    ]
      .filter((name) => !name.endsWith(":stalled-check"))
      .sort();
    const dump: Record<string, unknown> = {};
    for (const name of names) {
      const type = await redis.type(name);
      dump[name] =
        type === "hash"
          ? await redis.hgetall(name)
          : type === "zset"
            ? await redis.zrange(name, 0, -1, "WITHSCORES")
            : type === "set"
              ? (await redis.smembers(name)).sort()
              : type === "list"
                ? await redis.lrange(name, 0, -1)
                : type === "string"
                  ? await redis.get(name)
                  : type;
    }
    return dump;
  }
});

/** A cell as formatCsvRow writes it: quoted when it holds a comma, a quote or a line break. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
