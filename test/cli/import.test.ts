import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { type Job, Queue, Worker } from "bullmq";
import { describeProgress, ImportProgress } from "../../src/cli/import-progress";
import { IMPORT_LANE_PRIORITY } from "../../src/import/importer";
import { type CliResult, runCli, startCli } from "../support/cli";
import { runCommand } from "../support/command-in-process";
import { expectNoSecrets } from "../support/log-sink";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";

/**
 * windows-1251 bytes of a Cyrillic string, from the code page's fixed layout (А–я are
 * 0xC0–0xFF in alphabet order, Ё 0xA8, ё 0xB8) rather than from the decoder under test.
 */
function cp1251(text: string): Buffer {
  return Buffer.from(
    [...text].map((char) => {
      const code = char.codePointAt(0) as number;
      if (char === "Ё") return 0xa8;
      if (char === "ё") return 0xb8;
      if (code >= 0x410 && code <= 0x44f) return 0xc0 + (code - 0x410);
      if (code < 0x80) return code;
      throw new Error(`no cp1251 byte for ${char}`);
    }),
  );
}

/** Resolves once process `pid` has read past the start of `path` (Linux: /proc). */
async function readingStarted(pid: number, path: string): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let target = "";
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (target !== path) continue;
      const position = /^pos:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8"));
      if (Number(position?.[1] ?? 0) > 0) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`process ${pid} did not start reading ${path}`);
}

const SUMMARY =
  /^batch ([A-Za-z0-9._-]+): (\d+) rows?, (\d+) enqueued, (\d+) duplicates? skipped, (\d+) rejected\n$/;

/** The stderr lines that report bad rows, `line N: reason`. */
function badRows(result: CliResult): string[] {
  return result.stderr.split("\n").filter((line) => /^line \d+: /.test(line));
}

describe("axelnac-courier import", () => {
  const redis = testRedis();
  const dir = mkdtempSync(join(tmpdir(), "courier-import-"));
  const queues: Queue[] = [];
  const prefixes: string[] = [];

  /** A queue and key prefix of this test's own, and the command's environment for them. */
  function setup(extra: Record<string, string> = {}) {
    const queue = new Queue(`test-${randomUUID()}`, { connection: redis });
    const prefix = uniquePrefix("cli-import");
    queues.push(queue);
    prefixes.push(prefix);
    const env = {
      REDIS_URL: testRedisUrl(),
      QUEUE_NAME: queue.name,
      REDIS_KEY_PREFIX: prefix,
      AXELNAC_SOURCE_ID: "sms-default",
      ...extra,
    };
    // In this process: what the import does. The process itself is run by the tests of a file cut
    // while it is read and of bad arguments.
    const run = (args: string[], runEnv: Record<string, string> = env) =>
      runCommand(["import", ...args], runEnv);
    // In file order: rows of one import may share a millisecond, never a line.
    const jobs = async () =>
      (await queue.getJobs(["prioritized", "wait", "delayed"])).sort(
        (a, b) =>
          a.timestamp - b.timestamp ||
          (a.data.file_line ?? 0) - (b.data.file_line ?? 0) ||
          (a.data.pid < b.data.pid ? -1 : 1),
      );
    return { queue, env, run, jobs };
  }

  function file(name: string, content: string | Buffer): string {
    const path = join(dir, `${randomUUID().slice(0, 8)}-${name}`);
    writeFileSync(path, content);
    return path;
  }

  afterAll(async () => {
    for (const queue of queues) {
      await deleteKeys(redis, `bull:${queue.name}:`);
      await queue.close();
    }
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it("imports semicolons with a BOM and CRLF into the import lane, under the batch id", async () => {
    const { run, jobs } = setup();
    const path = file(
      "bom.csv",
      "\uFEFFpid;password;source_id;reference\r\nann;Pw-ann-1;sms-a;REG-1\r\nbob;Pw-bob-2;;REG-2\r\n" +
        "cid;Pw-cid-3;sms-c;\r\n",
    );
    const result = await run([path, "--batch", "expo-2026"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "batch expo-2026: 3 rows, 3 enqueued, 0 duplicates skipped, 0 rejected\n",
    );
    expect(result.stderr).toMatch(
      /^import: batch expo-2026: importing .*bom\.csv \(separator ;\)$/m,
    );
    expect(badRows(result)).toEqual([]);
    const imported = await jobs();
    expect(imported.map((job) => job.data)).toEqual([
      {
        pid: "ann",
        password: "Pw-ann-1",
        source_id: "sms-a",
        batch_id: "expo-2026",
        reference: "REG-1",
        // The row's line in the file (the header is line 1), for `failed list`.
        file_line: 2,
      },
      // An empty source_id cell takes the default.
      {
        pid: "bob",
        password: "Pw-bob-2",
        source_id: "sms-default",
        batch_id: "expo-2026",
        reference: "REG-2",
        file_line: 3,
      },
      {
        pid: "cid",
        password: "Pw-cid-3",
        source_id: "sms-c",
        batch_id: "expo-2026",
        file_line: 4,
      },
    ]);
    for (const job of imported) {
      expect(job.priority).toBe(IMPORT_LANE_PRIORITY);
      expect(job.id).toMatch(/^expo-2026~/);
    }
    expectNoSecrets(result.stdout + result.stderr, ["Pw-ann-1", "Pw-bob-2", "Pw-cid-3"]);
  });

  it("puts a walk-in guest enqueued after a big import before it", async () => {
    const { queue, env, run } = setup();
    const rows = Array.from({ length: 50 }, (_, i) => `guest${i},Pw-guest-${i}`);
    const imported = await run([file("lane.csv", `pid,password\n${rows.join("\n")}\n`)]);
    expect(imported.code).toBe(0);
    const walkIn = await runCommand(["enqueue", "--pid", "walkin"], env, "Pw-walk-in\n");
    expect(walkIn.code).toBe(0);

    const connection = redis.duplicate();
    const worker = new Worker(queue.name, null, { connection, autorun: false });
    try {
      const next = (await worker.getNextJob("lane-test-token", { block: false })) as Job;
      expect(next.data.pid).toBe("walkin");
      const after = (await worker.getNextJob("lane-test-token", { block: false })) as Job;
      expect(after.data.pid).toBe("guest0");
    } finally {
      await worker.close();
      connection.disconnect();
    }
  });

  it("reads windows-1251 with --encoding: Cyrillic references arrive intact", async () => {
    const { run, jobs } = setup();
    const path = file(
      "cp1251.csv",
      cp1251("pid;password;reference\r\nivan;Pw-ivan-1;Иван Ёлкин\r\npetr;Pw-petr-2;Пётр Яшин\r\n"),
    );
    // Read as UTF-8 by default, the file is refused before anything is enqueued.
    const wrong = await run([path]);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toMatch(/line 2: the file is not valid UTF-8.*--encoding windows-1251/);
    expect(await jobs()).toEqual([]);

    const result = await run([path, "--encoding", "cp1251"]);
    expect(result.code).toBe(0);
    expect((await jobs()).map((job) => [job.data.pid, job.data.reference])).toEqual([
      ["ivan", "Иван Ёлкин"],
      ["petr", "Пётр Яшин"],
    ]);
  });

  it("names --encoding utf-16le for UTF-16 without a byte-order mark, and reads it with it", async () => {
    const { run, jobs } = setup();
    const path = file("utf16.csv", Buffer.from("pid,password\nann,Pw-ann-1\n", "utf16le"));
    const wrong = await run([path]);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toMatch(
      /utf16\.csv: line 1: the file looks like UTF-16LE without a byte-order mark: use --encoding utf-16le\n/,
    );
    expect(await jobs()).toEqual([]);

    const right = await run([path, "--encoding", "utf-16le"]);
    expect(right.code).toBe(0);
    expect((await jobs()).map((job) => [job.data.pid, job.data.password])).toEqual([
      ["ann", "Pw-ann-1"],
    ]);
  });

  it("counts quoted line breaks in the line numbers of later bad rows", async () => {
    const { run, jobs } = setup();
    const path = file(
      "multiline.csv",
      [
        "pid,password,reference",
        'ann,Pw-ann-1,"Table 4,',
        'near the ""stage"""',
        "bad guy,Pw-bad-2,x",
        'bob,Pw-bob-3,"one\r\ntwo\r\nthree"',
        ",Pw-nopid-4,y",
        "cid,Pw-cid-5,z",
        "",
      ].join("\n"),
    );
    const result = await run([path]);

    expect(result.code).toBe(1);
    expect(badRows(result)).toEqual([
      "line 4: pid: AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance's rule for user ids)",
      "line 8: pid is empty",
    ]);
    expect(result.stdout).toMatch(SUMMARY);
    expect(result.stdout).toMatch(/: 5 rows, 3 enqueued, 0 duplicates skipped, 2 rejected\n$/);
    expect((await jobs()).map((job) => [job.data.pid, job.data.reference])).toEqual([
      ["ann", 'Table 4,\nnear the "stage"'],
      // Line breaks inside quotes are data, kept as they are in the file.
      ["bob", "one\r\ntwo\r\nthree"],
      ["cid", "z"],
    ]);
    expectNoSecrets(result.stdout + result.stderr, ["Pw-bad-2", "Pw-nopid-4"]);
  });

  it("reads a tab-delimited file with renamed columns", async () => {
    const { run, jobs } = setup();
    const path = file(
      "tabs.tsv",
      "Login\tCode\tSMS source\tTicket\nann\tPw-ann-1\tsms-t\tT-1\nb b\tPw-bb-2\tsms-t\tT-2\n",
    );
    const columns = ["--pid-column", "login", "--password-column", "Code"];
    const result = await run([
      path,
      "--delimiter",
      "tab",
      ...columns,
      "--source-id-column",
      "SMS source",
      "--reference-column",
      "Ticket",
    ]);

    expect(result.code).toBe(1);
    // Reasons name the file's column.
    expect(badRows(result)).toEqual([
      'line 3: pid (column "login"): AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance\'s rule for user ids)',
    ]);
    expect((await jobs()).map((job) => job.data)).toEqual([
      expect.objectContaining({
        pid: "ann",
        password: "Pw-ann-1",
        source_id: "sms-t",
        reference: "T-1",
      }),
    ]);
    // A column named on the command line must exist.
    const missing = await run([path, ...columns, "--reference-column", "Note"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/line 1: no column named "Note" \(--reference-column\)/);
  });

  it("reports bad rows by line, enqueues the others, and the fixed rejects file re-imports", async () => {
    const { run, jobs, env } = setup();
    const secrets = ["Pw-ann-1", "Pw-bob 2 ", "Pw-cid-3", "Pw-dan-4", "Pw-eve-5"];
    const path = file(
      "bad.csv",
      [
        "pid,password,source_id,note",
        "ann,Pw-ann-1,,ok",
        'bob,"Pw-bob 2 ",,trailing space',
        "",
        "c@d/e,Pw-cid-3",
        "dan,,,no password",
        "eve,Pw-eve-5,,ok",
        "",
      ].join("\r\n"),
    );
    const rejects = join(dir, "rejects.csv");
    const result = await run([path, "--batch", "bad-rows", "--rejects", rejects]);

    expect(result.code).toBe(1);
    expect(badRows(result)).toEqual([
      "line 3: password: must not start or end with a space or other blank character",
      "line 5: expected 3 fields, found 2",
      "line 6: password is empty",
    ]);
    expect(result.stdout).toBe(
      "batch bad-rows: 5 rows, 2 enqueued, 0 duplicates skipped, 3 rejected\n",
    );
    expect(result.stderr).toMatch(/3 rejected rows are in .*rejects\.csv: fix them there/);
    expect((await jobs()).map((job) => job.data.pid)).toEqual(["ann", "eve"]);
    expect(statSync(rejects).mode & 0o777).toBe(0o600);
    expect(readFileSync(rejects, "utf8")).toBe(
      "\uFEFFimport_error,pid,password,source_id,note\r\n" +
        'line 3: password: must not start or end with a space or other blank character,bob,"Pw-bob 2 ",,trailing space\r\n' +
        '"line 5: expected 3 fields, found 2",c@d/e,Pw-cid-3\r\n' +
        "line 6: password is empty,dan,,,no password\r\n",
    );
    expectNoSecrets(result.stdout + result.stderr, secrets);

    // The admin fixes the rows in a spreadsheet and imports the rejects file.
    const fixed = readFileSync(rejects, "utf8")
      .replace('"Pw-bob 2 "', "Pw-bob-2")
      .replace("c@d/e,Pw-cid-3", "c@d/e,Pw-cid-3,sms-x,")
      .replace("dan,,", "dan,Pw-dan-4,");
    const again = await run([file("fixed.csv", fixed), "--batch", "bad-rows"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(
      "batch bad-rows: 3 rows, 3 enqueued, 0 duplicates skipped, 0 rejected\n",
    );
    expect((await jobs()).map((job) => [job.data.pid, job.data.source_id])).toEqual([
      ["ann", "sms-default"],
      ["eve", "sms-default"],
      ["bob", "sms-default"],
      ["c@d/e", "sms-x"],
      ["dan", "sms-default"],
    ]);
  });

  it("escapes formulas in the rejects file, and its re-import gives back the exact values", async () => {
    const { run, jobs, env } = setup();
    const path = file(
      "formulas.csv",
      "pid,password,source_id\n+79161234567,=1+2\n@ann,-Pw-1\n-bob,'=Pw-2\ncid,Pw-cid-3,sms\n",
    );
    const rejects = join(dir, `${randomUUID()}-formulas-rejects.csv`);
    const result = await run([path, "--rejects", rejects]);
    expect(result.code).toBe(1);
    // A spreadsheet shows these cells as text: none starts with = + - or @.
    expect(readFileSync(rejects, "utf8")).toBe(
      "\uFEFFimport_error,pid,password,source_id\r\n" +
        `"line 2: expected 3 fields, found 2","'+79161234567","'=1+2"\r\n` +
        `"line 3: expected 3 fields, found 2","'@ann","'-Pw-1"\r\n` +
        `"line 4: expected 3 fields, found 2","'-bob","''=Pw-2"\r\n`,
    );

    // Fixed in a spreadsheet (a source added to each row) and imported again.
    const fixed = readFileSync(rejects, "utf8").replaceAll('"\r\n', '",sms-x\r\n');
    const rejectsAgain = join(dir, `${randomUUID()}-formulas-rejects-2.csv`);
    const again = await run([file("fixed.csv", fixed), "--rejects", rejectsAgain], env);
    expect(again.code).toBe(1);
    expect(badRows(again)).toEqual([
      "line 2: pid: AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance's rule for user ids)",
    ]);
    expect((await jobs()).map((job) => [job.data.pid, job.data.password])).toEqual([
      ["cid", "Pw-cid-3"],
      ["@ann", "-Pw-1"],
      ["-bob", "'=Pw-2"],
    ]);
    // The phone number and the formula come back exactly, and are escaped again.
    expect(readFileSync(rejectsAgain, "utf8")).toBe(
      "\uFEFFimport_error,pid,password,source_id\r\n" +
        `"line 2: pid: AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance's rule for user ids)","'+79161234567","'=1+2",sms-x\r\n`,
    );
  });

  it("skips duplicates on a second import (exit 0), and --resend enqueues them again", async () => {
    const { run, jobs } = setup();
    const path = file("twice.csv", "pid,password\nann,Pw-ann-1\nbob,Pw-bob-2\nann,Pw-ann-1\n");
    const first = await run([path]);
    // The same guest twice in one file is one SMS too.
    expect(first.stdout).toMatch(/: 3 rows, 2 enqueued, 1 duplicate skipped, 0 rejected\n$/);
    expect(first.code).toBe(0);

    const second = await run([path]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/: 3 rows, 0 enqueued, 3 duplicates skipped, 0 rejected\n$/);
    expect(second.stderr).toMatch(
      /3 rows were already enqueued within the duplicate window \(24h\) and skipped.*--resend/,
    );
    expect(await jobs()).toHaveLength(2);

    const resent = await run([path, "--resend"]);
    expect(resent.code).toBe(0);
    expect(resent.stdout).toMatch(/: 3 rows, 3 enqueued, 0 duplicates skipped, 0 rejected\n$/);
    expect(await jobs()).toHaveLength(5);
  });

  it("rejects a later row that sends a pid another password, naming both lines, unless --resend", async () => {
    const { run, jobs } = setup();
    const path = file(
      "repeated.csv",
      [
        "pid,password,source_id",
        "ann,Pw-ann-1,",
        "bob,Pw-bob-2,",
        "ann,Pw-ann-other,",
        "bob,Pw-bob-2,",
        "ann,Pw-ann-1,sms-other",
        "ann,Pw-ann-1,",
        "",
      ].join("\n"),
    );
    const rejects = join(dir, `${randomUUID()}-repeated-rejects.csv`);
    const result = await run([path, "--rejects", rejects]);

    expect(result.code).toBe(1);
    const again = "with another password or SMS source: this row is not sent (--resend sends both)";
    expect(badRows(result)).toEqual([
      `line 4: pid 'ann' already appears on line 2 ${again}`,
      `line 6: pid 'ann' already appears on line 2 ${again}`,
    ]);
    // Rows that repeat the first exactly are one SMS, as on a second import.
    expect(result.stdout).toMatch(/: 6 rows, 2 enqueued, 2 duplicates skipped, 2 rejected\n$/);
    expect((await jobs()).map((job) => [job.data.pid, job.data.password])).toEqual([
      ["ann", "Pw-ann-1"],
      ["bob", "Pw-bob-2"],
    ]);
    expect(readFileSync(rejects, "utf8")).toBe(
      "\uFEFFimport_error,pid,password,source_id\r\n" +
        `line 4: pid 'ann' already appears on line 2 ${again},ann,Pw-ann-other,\r\n` +
        `line 6: pid 'ann' already appears on line 2 ${again},ann,Pw-ann-1,sms-other\r\n`,
    );
    expectNoSecrets(result.stdout + result.stderr, ["Pw-ann-1", "Pw-ann-other"]);

    const resent = await run([path, "--resend"]);
    expect(resent.code).toBe(0);
    expect(resent.stdout).toMatch(/: 6 rows, 6 enqueued, 0 duplicates skipped, 0 rejected\n$/);
  });

  it("schedules the whole batch with --send-at", async () => {
    const { run, jobs } = setup();
    const sendAt = new Date(Date.now() + 3_600_000);
    const path = file("later.csv", "pid,password\nann,Pw-ann-1\nbob,Pw-bob-2\n");
    const result = await run([path, "--send-at", sendAt.toISOString()]);

    expect(result.code).toBe(0);
    const [, batch = ""] = SUMMARY.exec(result.stdout) ?? [];
    expect(batch).toMatch(/^import-\d{8}-\d{4}-[0-9a-f]{4}$/);
    const scheduled = await jobs();
    expect(scheduled).toHaveLength(2);
    for (const job of scheduled) {
      expect(await job.getState()).toBe("delayed");
      expect(job.priority).toBe(IMPORT_LANE_PRIORITY);
      expect(job.data.batch_id).toBe(batch);
      expect(job.timestamp + job.delay).toBeGreaterThanOrEqual(sendAt.getTime() - 5);
      expect(job.timestamp + job.delay).toBeLessThan(sendAt.getTime() + 1_000);
    }
  });

  it("checks a file with --dry-run without Redis and writes nothing", async () => {
    const { env, run, queue } = setup();
    const path = file("dry.csv", "pid,password\nann,Pw-ann-1\nb b,Pw-bb-2\n");
    const rejects = join(dir, "dry-rejects.csv");
    // Nothing listens on port 1: a connection attempt would fail the command.
    const result = await run([path, "--dry-run", "--rejects", rejects], {
      ...env,
      REDIS_URL: "redis://127.0.0.1:1",
    });

    expect(result.code).toBe(1);
    expect(badRows(result)).toEqual([
      "line 3: pid: AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance's rule for user ids)",
    ]);
    expect(result.stdout).toMatch(
      /^batch import-\S+: 2 rows, 1 valid, 1 rejected \(dry run: nothing enqueued, duplicates not checked\)\n$/,
    );
    expect(readFileSync(rejects, "utf8")).toMatch(
      /^\uFEFFimport_error,pid,password\r\n"line 3: pid: .*",b b,Pw-bb-2\r\n$/,
    );
    expect(Object.values(await queue.getJobCounts()).every((count) => count === 0)).toBe(true);
    expect(await redis.keys(`${env.REDIS_KEY_PREFIX}*`)).toEqual([]);
  });

  it("stops at an unterminated quote after chunks were enqueued: exit 1, the rows before it kept", async () => {
    const { run, jobs } = setup();
    const rows = Array.from({ length: 2_500 }, (_, i) => `guest${i},Pw-guest-${i}`);
    const path = file(
      "broken.csv",
      `pid,password\n${rows.join("\n")}\nlast,"Pw-never-closed\nmore,rows\n`,
    );
    const result = await run([path]);

    expect(result.code).toBe(1);
    expect(badRows(result)).toEqual([
      'line 2502: a quoted field starting on this line is never closed (a missing closing ")',
    ]);
    expect(result.stderr).toMatch(
      /cannot be read from line 2502 on: the rows before it were enqueued.*import the file again/,
    );
    expect(result.stdout).toMatch(
      /: 2501 rows, 2500 enqueued, 0 duplicates skipped, 1 rejected\n$/,
    );
    expect(await jobs()).toHaveLength(2_500);
  });

  it("stops at the cut row of a file truncated while it is read, accounting for what was enqueued", async () => {
    const { run, jobs, env } = setup();
    const row = (i: number) =>
      `guest${String(i).padStart(5, "0")},Pw-guest-${String(i).padStart(5, "0")}\n`;
    const header = "pid,password\n";
    const rows = Array.from({ length: 12_000 }, (_, i) => row(i)).join("");
    const path = file("truncated.csv", header + rows);
    const size = statSync(path).size;
    // The command writes its rejects into a pipe: opening it waits for this test to read it, so
    // the command is held after it has opened and begun the file, before it reads to its end.
    const rejects = join(dir, `${randomUUID()}-rejects.fifo`);
    execFileSync("mkfifo", [rejects]);
    const { child, result } = startCli(["import", path, "--rejects", rejects], env);
    await readingStarted(child.pid as number, path).catch((error) => {
      child.kill("SIGKILL");
      throw error;
    });
    const cut = header.length + 7_000 * row(0).length + 10;
    truncateSync(path, cut);
    const rejected = readFile(rejects, "utf8");
    const done = await result;

    const problem =
      `the file changed while it was read: it had ${size} bytes when opened and ${cut} at the ` +
      "end. It was cut short, replaced or is still being written: import it again once it is complete";
    expect(done.code).toBe(1);
    expect(badRows(done)).toEqual([`line 7002: ${problem}`]);
    expect(done.stderr).toMatch(
      /cannot be read from line 7002 on: the rows before it were enqueued/,
    );
    expect(done.stdout).toMatch(/: 7001 rows, 7000 enqueued, 0 duplicates skipped, 1 rejected\n$/);
    expect(await jobs()).toHaveLength(7_000);
    expect(await rejected).toBe(`\uFEFFimport_error,pid,password\r\n"line 7002: ${problem}"\r\n`);
    // The rows before the cut were whole: read again, they are duplicates, the cut row is short.
    const again = await run([path]);
    expect(badRows(again)).toEqual(["line 7002: expected 2 fields, found 1"]);
    expect(again.stdout).toMatch(/: 7001 rows, 0 enqueued, 7000 duplicates skipped, 1 rejected\n$/);
  });

  // Ten commands at once and three processes: slow on a busy machine, hence the longer timeout.
  it("refuses bad arguments and unusable files with exit 2, enqueuing nothing", async () => {
    const { env, run, queue } = setup();
    const good = file("good.csv", "pid,password\nann,Pw-ann-1\n");
    const noSource = { ...env, AXELNAC_SOURCE_ID: "" };
    const cases: [string[], Record<string, string>, RegExp][] = [
      [
        [file("nopid.csv", "login,password\nann,Pw-ann-1\n")],
        env,
        /line 1: no column named "pid".*--pid-column/,
      ],
      [[good], noSource, /no "source_id" column .*--source-id or AXELNAC_SOURCE_ID/],
      [[join(dir, "missing.csv")], env, /cannot read .*missing\.csv: ENOENT/],
      [[file("empty.csv", "")], env, /line 1: the file is empty/],
      [[good, "--batch", "not~a batch"], env, /--batch: "not~a batch" holds "~"/],
      [[good, "--send-at", "2026-06-01T09:30:00"], env, /--send-at: .* with a time zone/],
      [[good, "--delimiter", "|"], env, /--delimiter: "\|" is not supported/],
      [[good, "--encoding", "klingon"], env, /--encoding: unknown encoding "klingon"/],
      [[good, "--rejects", good], env, /--rejects names the file being imported/],
      [[], env, /FILE is required/],
    ];
    const results = await Promise.all(cases.map(([args, caseEnv]) => run(args, caseEnv)));
    results.forEach((result, i) => {
      const [args, , message] = cases[i] ?? [];
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({
        args,
        code: 2,
        stdout: "",
      });
      expect(result.stderr).toMatch(message ?? /./);
    });
    // The process answers as the command does, with exit 2.
    expect(await runCli(["import"], env)).toEqual(results.at(-1));
    expect(readFileSync(good, "utf8")).toBe("pid,password\nann,Pw-ann-1\n");
    expect(Object.values(await queue.getJobCounts()).every((count) => count === 0)).toBe(true);

    const help = await runCli(["import", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: axelnac-courier import FILE/);
    expect((await runCli(["--help"])).stdout).toMatch(/^ {2}import {5}enqueue a delivery per row/m);
  }, 120_000);
});

describe("the import's progress display", () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  function display(isTTY: boolean) {
    const stream = Object.assign(new PassThrough(), { isTTY });
    let text = "";
    stream.on("data", (chunk) => {
      text += chunk;
    });
    const source = {
      counts: { rows: 0, enqueued: 0, duplicates: 0, rejected: 0 },
      bytesRead: () => source.bytes,
      bytes: 0,
      totalBytes: 1_000_000,
      dryRun: false,
    };
    const progress = new ImportProgress(stream, source);
    return { progress, source, text: () => text };
  }

  it("writes a plain line every 2 s when stderr is not a terminal", () => {
    const { progress, source, text } = display(false);
    progress.start();
    Object.assign(source.counts, { rows: 20_000, enqueued: 19_850, duplicates: 12, rejected: 138 });
    jest.advanceTimersByTime(1_999);
    expect(text()).toBe("");
    jest.advanceTimersByTime(1);
    progress.stop();
    expect(text()).toBe(
      "imported 20000 rows (19850 enqueued, 12 duplicates, 138 rejected), 10000 rows/s\n",
    );
    expect(describeProgress(source.counts, 5, true)).toBe(
      "checked 20000 rows (19850 valid, 138 rejected), 5 rows/s",
    );
  });

  it("redraws a bar with an ETA from the bytes read, 10 times a second, on a terminal", () => {
    const { progress, source, text } = display(true);
    progress.start();
    for (let tick = 1; tick <= 10; tick++) {
      source.counts.rows = tick * 1_000;
      source.bytes = tick * 25_000;
      jest.advanceTimersByTime(100);
    }
    const frames = text().split("\r\x1b[K").filter(Boolean);
    expect(frames).toHaveLength(10);
    // A quarter of the bytes in 1 s: 3 s to go.
    expect(frames.at(-1)).toBe(
      `[${"█".repeat(6)}${"░".repeat(18)}]  25%  10000 rows  10000 rows/s  ETA 3s`,
    );
    progress.line("line 7: pid is empty");
    expect(text().endsWith("\r\x1b[Kline 7: pid is empty\n")).toBe(true);
    progress.stop();
  });
});
