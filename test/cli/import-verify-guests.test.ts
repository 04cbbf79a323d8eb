/**
 * `import --verify-guests`: every guest looked up on the appliance (the simulator, with a guest
 * list) before its row is enqueued; guests it does not know or has no telephone for are rejected
 * by line, the others go out.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { type Simulator, startSimulator } from "../../src/simulator";
import { type CliResult, runCli } from "../support/cli";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";

const API = { username: "courier-api", password: "api-pw-verify-77" };
const GUESTS = new Map([
  ["Alice", "+79990000001"],
  ["bob", "+79990000002"],
  ["dan", ""],
]);

function badRows(result: CliResult): string[] {
  return result.stderr.split("\n").filter((line) => /^line \d+: /.test(line));
}

describe("axelnac-courier import --verify-guests", () => {
  const redis = testRedis();
  const dir = mkdtempSync(join(tmpdir(), "courier-verify-"));
  const queues: Queue[] = [];
  const prefixes: string[] = [];
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      ...API,
      guests: GUESTS,
      accounts: [
        { username: "sender-only", password: "sender-pw-5", adminActions: ["SYSTEM_CREATE"] },
      ],
    });
  });

  afterAll(async () => {
    await sim.close();
    for (const queue of queues) {
      await deleteKeys(redis, `bull:${queue.name}:`);
      await queue.close();
    }
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  function setup(extra: Record<string, string> = {}) {
    const queue = new Queue(`test-${randomUUID()}`, { connection: redis });
    const prefix = uniquePrefix("cli-verify");
    queues.push(queue);
    prefixes.push(prefix);
    const env = {
      REDIS_URL: testRedisUrl(),
      QUEUE_NAME: queue.name,
      REDIS_KEY_PREFIX: prefix,
      AXELNAC_SOURCE_ID: "sms",
      AXELNAC_URL: sim.url,
      AXELNAC_USERNAME: API.username,
      AXELNAC_PASSWORD: API.password,
      ...extra,
    };
    return { queue, env, run: (args: string[]) => runCli(["import", ...args], env) };
  }

  const file = (content: string) => {
    const path = join(dir, `${randomUUID().slice(0, 8)}.csv`);
    writeFileSync(path, content);
    return path;
  };

  const registrations =
    "pid,password\nalice,pw-one-111\nzoe,pw-two-222\nbob,pw-three-333\ndan,pw-four-444\n";

  it("rejects by line the guests the appliance does not know or cannot text, and enqueues the rest", async () => {
    const { queue, run } = setup();
    const rejects = join(dir, `${randomUUID().slice(0, 8)}-rejects.csv`);
    const result = await run([file(registrations), "--verify-guests", "--rejects", rejects]);

    expect(result.code).toBe(1);
    expect(badRows(result)).toEqual([
      "line 3: the appliance has no guest with this pid (--verify-guests)",
      "line 5: the appliance has no telephone for this guest, so no SMS can reach them (--verify-guests)",
    ]);
    expect(result.stdout).toMatch(/: 4 rows, 2 enqueued, 0 duplicates skipped, 2 rejected\n$/);
    const jobs = await queue.getJobs(["prioritized", "wait"]);
    expect(jobs.map((job) => job.data.pid).sort()).toEqual(["alice", "bob"]);
    expect(readFileSync(rejects, "utf8")).toContain("zoe");
    expect(result.stderr).not.toContain("pw-two-222");
  });

  it("with --dry-run, checks the guests and enqueues nothing", async () => {
    const { queue, run } = setup();
    const result = await run([file(registrations), "--verify-guests", "--dry-run"]);
    expect(result.code).toBe(1);
    expect(badRows(result)).toHaveLength(2);
    expect(await queue.getJobCounts("prioritized", "wait")).toEqual({ prioritized: 0, wait: 0 });
  });

  it("uses the fleet's token: one login for the whole check, none for the next import", async () => {
    const { run } = setup();
    const before = sim.stats().logins;
    await run([file(registrations), "--verify-guests", "--dry-run"]);
    await run([file(registrations), "--verify-guests", "--dry-run"]);
    expect(sim.stats().logins).toBe(before + 1);
  });

  it("stops before enqueuing anything when the API account may not read users", async () => {
    const { queue, run } = setup({
      AXELNAC_USERNAME: "sender-only",
      AXELNAC_PASSWORD: "sender-pw-5",
    });
    const result = await run([file(registrations), "--verify-guests"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("AXELNAC_ACCESS_DENIED");
    expect(result.stderr).toContain("lacking the USERS_READ administrative role");
    expect(await queue.getJobCounts("prioritized", "wait")).toEqual({ prioritized: 0, wait: 0 });
  });
});
