import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeProgress } from "../../src/cli/import-progress";
import { runCli } from "../support/cli";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";

/** What the commands print, counted: "1 row", never "1 rows". */
describe("counts in the commands' output", () => {
  const redis = testRedis();
  const queueName = `test-${randomUUID()}`;
  const prefix = uniquePrefix("counted-output");
  const env = { REDIS_URL: testRedisUrl(), QUEUE_NAME: queueName, REDIS_KEY_PREFIX: prefix };
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "counted-output-"));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await deleteKeys(redis, `bull:${queueName}:`);
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  const file = (name: string, pids: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, `pid,password\n${pids.map((pid) => `${pid},Pw-${pid}-7\n`).join("")}`);
    return path;
  };

  it.each([
    [[], "0 rows, 0 valid"],
    [["ann"], "1 row, 1 valid"],
    [["ann", "bob"], "2 rows, 2 valid"],
  ])("import --dry-run of %j says %j", async (pids, counted) => {
    const result = await runCli(
      ["import", file("dry.csv", pids), "--dry-run", "--batch", "dry", "--source-id", "sms"],
      {},
    );
    expect(result.stdout).toBe(
      `batch dry: ${counted}, 0 rejected (dry run: nothing enqueued, duplicates not checked)\n`,
    );
  });

  it("import counts 1 duplicate, then 2 duplicates, and the advice says row was / rows were", async () => {
    const one = file("one.csv", ["ann"]);
    const two = file("two.csv", ["ann", "bob"]);
    const args = (path: string) => ["import", path, "--batch", "twice", "--source-id", "sms"];
    expect((await runCli(args(one), env)).stdout).toBe(
      "batch twice: 1 row, 1 enqueued, 0 duplicates skipped, 0 rejected\n",
    );
    const again = await runCli(args(one), env);
    expect(again.stdout).toBe("batch twice: 1 row, 0 enqueued, 1 duplicate skipped, 0 rejected\n");
    expect(again.stderr).toMatch(
      /^import: 1 row was already enqueued within the duplicate window/m,
    );
    await runCli(args(two), env);
    const third = await runCli(args(two), env);
    expect(third.stdout).toBe(
      "batch twice: 2 rows, 0 enqueued, 2 duplicates skipped, 0 rejected\n",
    );
    expect(third.stderr).toMatch(
      /^import: 2 rows were already enqueued within the duplicate window/m,
    );
  });

  it("failed retry counts 0 failed deliveries", async () => {
    const retried = await runCli(["failed", "retry", "--batch", "twice"], env);
    expect(retried).toMatchObject({ code: 0, stdout: "retried 0 failed deliveries\n" });
  });

  it("import's progress line counts 1 row and 1 duplicate", () => {
    const counts = { rows: 1, enqueued: 0, duplicates: 1, rejected: 0 };
    expect(describeProgress(counts, 1, false)).toBe(
      "imported 1 row (0 enqueued, 1 duplicate, 0 rejected), 1 rows/s",
    );
    expect(describeProgress(counts, 1, true)).toBe("checked 1 row (0 valid, 0 rejected), 1 rows/s");
  });
});
