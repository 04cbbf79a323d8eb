import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { batchKeys } from "../../src/batches/batch-keys";
import { batchOfJobId } from "../../src/jobs/job-id";
import { ONE_SHOT_REDIS_TIMEOUT_MS } from "../../src/redis/connection";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { type CliResult, runCli } from "../support/cli";
import { CLI_CWD, REPO_ROOT } from "../support/processes";
import { sleep } from "../support/wait";

/** The summary of an import Redis stopped part-way: every row of the file in exactly one count. */
const STOPPED_SUMMARY =
  /^batch (\S+): (\d+) rows?, (\d+) enqueued, (\d+) duplicates? skipped, (\d+) rejected, (\d+) unconfirmed, (\d+) not enqueued\n$/;
const SUMMARY =
  /^batch (\S+): (\d+) rows?, (\d+) enqueued, (\d+) duplicates? skipped, (\d+) rejected\n$/;

function stoppedSummary(stdout: string) {
  const match = STOPPED_SUMMARY.exec(stdout);
  if (!match) throw new Error(`not the summary of a stopped import: ${JSON.stringify(stdout)}`);
  const [rows, enqueued, duplicates, rejected, unconfirmed, notEnqueued] = match
    .slice(2)
    .map(Number) as [number, number, number, number, number, number];
  return { rows, enqueued, duplicates, rejected, unconfirmed, notEnqueued };
}

function summary(stdout: string) {
  const match = SUMMARY.exec(stdout);
  if (!match) throw new Error(`not an import's summary: ${JSON.stringify(stdout)}`);
  const [rows, enqueued, duplicates, rejected] = match.slice(2).map(Number);
  return { rows, enqueued, duplicates, rejected };
}

describe("import when Redis fails part-way", () => {
  const dir = mkdtempSync(join(tmpdir(), "courier-import-redis-"));
  const servers: PrivateRedis[] = [];
  const clients: Redis[] = [];

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    for (const server of servers) await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A Redis of the test's own, a client on it, and the command's settings for a fresh queue. */
  async function setup(appendOnly: boolean) {
    const server = await startPrivateRedis({ appendOnly, dirPrefix: "courier-import-redis-" });
    servers.push(server);
    const admin = new Redis(server.url, { maxRetriesPerRequest: null });
    admin.on("error", () => undefined); // the test stops this Redis on purpose
    clients.push(admin);
    const env = {
      REDIS_URL: server.url,
      QUEUE_NAME: `test-${randomUUID()}`,
      REDIS_KEY_PREFIX: "courier-test",
      AXELNAC_SOURCE_ID: "sms",
      DUPLICATE_KEY_SECRET: "import-redis-failures-secret",
    };
    const keys = batchKeys(env.REDIS_KEY_PREFIX, env.QUEUE_NAME);
    /** The batch's jobs in Redis, and the total its counters give. */
    const inRedis = async (batch: string) => {
      const ids = await admin.zrange(`bull:${env.QUEUE_NAME}:prioritized`, 0, -1);
      return {
        held: ids.filter((id) => batchOfJobId(id) === batch).length,
        total: await admin.scard(keys.deliveries(batch, "guests")),
      };
    };
    return { server, admin, env, keys, inRedis };
  }

  function registrations(rows: number): string {
    const path = join(dir, `${randomUUID().slice(0, 8)}.csv`);
    const lines = Array.from({ length: rows }, (_, n) => `guest-${n},Pw-${randomUUID()}`);
    writeFileSync(path, `pid,password\n${lines.join("\n")}\n`);
    return path;
  }

  it("Redis stopped mid-import: exits 1 within a bounded time with an exact account; the same file again completes the batch", async () => {
    const { server, admin, env, keys, inRedis } = await setup(true);
    const rows = 50_000;
    const file = registrations(rows);
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, "dist/src/cli/main.js"), "import", file, "--batch", "outage"],
      { env: { PATH: process.env.PATH ?? "", LOG_FORMAT: "json", ...env }, cwd: CLI_CWD },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));

    // Stop Redis once a few chunks are in, with most of the file still to come.
    while ((await admin.scard(keys.deliveries("outage", "guests"))) < 3_000) {
      if (child.exitCode !== null) throw new Error(`import ended first: ${stdout}${stderr}`);
      await sleep(5);
    }
    await server.stop();
    const stoppedAt = Date.now();
    const limitMs = 3 * ONE_SHOT_REDIS_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exit,
      new Promise<"still running">((resolve) => {
        timer = setTimeout(() => resolve("still running"), limitMs);
      }),
    ]);
    clearTimeout(timer);
    const tookMs = Date.now() - stoppedAt;
    if (code === "still running") child.kill("SIGKILL");
    expect({ code, withinLimit: tookMs < limitMs }).toEqual({ code: 1, withinLimit: true });

    expect(stderr).toMatch(
      // Redis closed the connection under a chunk, or the next chunk found no Redis to answer it.
      /^failed: COURIER_REDIS_UNREACHABLE: Redis at redis:\/\/127\.0\.0\.1:\d+\/? (went away: .+|did not answer within 10 s)$/m,
    );
    const account = stoppedSummary(stdout);
    expect(account.enqueued).toBeGreaterThanOrEqual(3_000);
    expect(account.rows).toBe(rows);
    expect(
      account.enqueued +
        account.duplicates +
        account.rejected +
        account.unconfirmed +
        account.notEnqueued,
    ).toBe(rows);
    // At most the one chunk that was on its way when Redis stopped is of unknown fate.
    expect(account.unconfirmed).toBeLessThanOrEqual(1_000);
    expect(stderr).toMatch(
      new RegExp(`^import: +${account.enqueued} rows enqueued \\(confirmed by Redis\\)$`, "m"),
    );
    expect(stderr).toMatch(
      /import the same file again: the rows already enqueued are skipped as duplicates/,
    );

    // What Redis kept (every write was on disk) is what the import said, give or take that chunk.
    await server.start();
    const kept = await inRedis("outage");
    expect(kept.total).toBe(kept.held);
    expect([account.enqueued, account.enqueued + account.unconfirmed]).toContain(kept.held);

    const again = await runCli(["import", file, "--batch", "outage"], env);
    expect(again.code).toBe(0);
    expect(summary(again.stdout)).toEqual({
      rows,
      enqueued: rows - kept.held,
      duplicates: kept.held,
      rejected: 0,
    });
    expect(await inRedis("outage")).toEqual({ held: rows, total: rows });
    console.log(
      `Redis stopped mid-import: ${JSON.stringify({ ...account, exitedAfterMs: tookMs, keptByRedis: kept.held })}`,
    );
  }, 120_000);

  it("Redis out of memory mid-import: the import reports exactly what Redis holds, and the same file again completes it", async () => {
    const { admin, env, inRedis } = await setup(false);
    const usedMemory = async () =>
      Number(/used_memory:(\d+)/.exec(await admin.info("memory"))?.[1] ?? Number.NaN);
    // What a chunk of 1,000 rows costs, from an import of another batch.
    const before = await usedMemory();
    const warmUp: CliResult = await runCli(
      ["import", registrations(1_000), "--batch", "warm-up"],
      env,
    );
    expect(warmUp.code).toBe(0);
    const perChunk = (await usedMemory()) - before;
    await admin.config("SET", "maxmemory", String((await usedMemory()) + 1.5 * perChunk));

    const rows = 5_000;
    const file = registrations(rows);
    const refused = await runCli(["import", file, "--batch", "full"], env);
    const kept = await inRedis("full");
    // What the import says it enqueued is what Redis holds, and what the batch's total counts.
    const reported = Number(/ (\d+) enqueued/.exec(refused.stdout)?.[1]);
    expect({ reported, kept }).toEqual({
      reported: kept.held,
      kept: { held: kept.held, total: kept.held },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^failed: COURIER_REDIS_REFUSED: .*OOM/m);
    expect(stoppedSummary(refused.stdout)).toEqual({
      rows,
      enqueued: kept.held,
      duplicates: 0,
      rejected: 0,
      // Redis answered: nothing is of unknown fate.
      unconfirmed: 0,
      notEnqueued: rows - kept.held,
    });

    await admin.config("SET", "maxmemory", "0");
    const again = await runCli(["import", file, "--batch", "full"], env);
    expect(again.code).toBe(0);
    expect(summary(again.stdout)).toEqual({
      rows,
      enqueued: rows - kept.held,
      duplicates: kept.held,
      rejected: 0,
    });
    expect(await inRedis("full")).toEqual({ held: rows, total: rows });
  }, 120_000);
});
