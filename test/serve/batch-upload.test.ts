import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { runImport } from "../../src/cli/import";
import type { Config } from "../../src/config/config";
import { batchRoutesLimitedTo } from "../../src/serve/routes/batch-routes";
import type { UploadResult } from "../../src/serve/routes/batch-schemas";
import { expectNoSecrets } from "../support/log-sink";
import { dumpEverything } from "../support/redis-dump";
import { waitUntil } from "../support/wait";
import { type ApiAnswer, authorizationOf, keyIdOf, ServeHarness } from "./serve-harness";

// A full collection on demand, so that what is measured is memory still held, not garbage.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

function retainedHeap(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Every password of these tests starts so: finding it anywhere is finding a password. */
const SECRET = `upload-secret-${randomUUID().slice(0, 8)}-`;
const password = (n: number) => `${SECRET}${n}`;

/** serve's settings in these tests: a default SMS source, and passwords sealed in Redis. */
const SETTINGS = {
  AXELNAC_SOURCE_ID: "sms",
  JOB_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
};

/** What an accepted upload answers, or a 413's or 503's details. */
const resultOf = (answer: ApiAnswer) => answer.body as unknown as UploadResult;

/** Rows `guest-<n>,<password>` for n in [from, to). */
function rows(from: number, to: number): string {
  let text = "";
  for (let n = from; n < to; n++) text += `guest-${n},${password(n)}\n`;
  return text;
}

/**
 * A file with bad rows of each kind `import` rejects: an empty password, a pid AxelNAC refuses,
 * a pid repeated with another password, a row with a blank password end, a field over 64 KiB.
 */
const BAD_FILE = [
  "pid,password,reference",
  `ann,${password(1)},R1`,
  `bob,,R2`,
  `c@rl!,${password(3)},R3`,
  `ann,${password(4)},R4`,
  `dan, ${password(5)},R5`,
  `eve,${password(6)},${"x".repeat(70_000)}`,
  `fay,${password(7)},R7`,
  "",
].join("\n");

describe("POST /v1/batches", () => {
  const tmp = mkdtempSync(join(tmpdir(), "batch-upload-"));
  /** Every answer and log line of the other servers these tests start, for the secret scan. */
  const saidElsewhere: string[] = [];
  let h: ServeHarness;
  /** A key with batches:write and batches:read. */
  let key: string;

  /** POST /v1/batches with `csv` as the body, through `server` (the tests' own by default). */
  const upload = (
    csv: string | Buffer | Readable,
    query: Record<string, string> = {},
    contentType = "text/csv",
    server = h,
  ): Promise<ApiAnswer> => {
    const search = new URLSearchParams(query).toString();
    return server.call("POST", `/v1/batches${search ? `?${search}` : ""}`, {
      key,
      raw: { content: csv, type: contentType },
    });
  };
  /** A server beside the tests' own, on its queue and keys, closed once `use` is done. */
  const alongside = async <T>(
    options: Parameters<typeof ServeHarness.start>[0],
    use: (server: ServeHarness) => Promise<T>,
  ): Promise<T> => {
    const server = await ServeHarness.start({ ...options, alongside: h });
    try {
      return await use(server);
    } finally {
      saidElsewhere.push(server.everythingSaid());
      await server.close();
    }
  };
  const jobCount = async () => (await h.queue.getJobCounts("prioritized")).prioritized ?? 0;

  /** What `import FILE --dry-run` prints on stderr for the same bytes. */
  const importSays = async (settings: Config, content: string | Buffer, ...flags: string[]) => {
    const file = join(tmp, `${randomUUID()}.csv`);
    writeFileSync(file, content);
    const stderr = new PassThrough();
    let text = "";
    stderr.on("data", (chunk) => {
      text += chunk;
    });
    const code = await runImport(
      [file, "--dry-run", ...flags],
      { stdout: new PassThrough(), stderr },
      settings,
    );
    return { code, text, file };
  };

  beforeAll(async () => {
    h = await ServeHarness.start({ settings: SETTINGS });
    key = await h.key(["batches:write", "batches:read"], "batch tests");
  });

  afterAll(async () => {
    await h?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("streams a 10,000-row CSV into the queue: rows are enqueued while the body is still arriving, in flat memory", async () => {
    let enqueuedMidway = 0;
    const retained: number[] = [];
    async function* body() {
      yield "pid,password\n";
      for (let from = 0; from < 10_000; from += 1_000) {
        yield rows(from, from + 1_000);
        if (from === 1_000) retained.push(retainedHeap());
        if (from === 4_000) {
          // Buffered whole before being read, no row would be enqueued yet and this would time out.
          await waitUntil(async () => (await jobCount()) >= 1_000, {
            timeoutMs: 30_000,
            what: "the first rows enqueued before the body ends",
          });
          enqueuedMidway = await jobCount();
        }
      }
    }
    const answer = await upload(Readable.from(body()), { batch: "expo 10k" });
    retained.push(retainedHeap());

    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      batchId: "expo 10k",
      rows: 10_000,
      enqueued: 10_000,
      duplicates: 0,
      rejectedCount: 0,
      rejected: [],
    });
    expect(enqueuedMidway).toBeGreaterThanOrEqual(1_000);
    expect(enqueuedMidway).toBeLessThan(10_000);
    expect(await jobCount()).toBe(10_000);
    // What the process still holds after 10,000 rows is what it held after 2,000 (100,000 rows
    // measured the same way stay within 6 MiB).
    const [afterFirst = 0, atEnd = 0] = retained;
    expect(atEnd - afterFirst).toBeLessThan(10 * 1024 * 1024);

    const [jobId] = await h.queue.getRanges(["prioritized"], 0, 0);
    const job = await h.queue.getJob(jobId as string);
    expect(job?.data).toMatchObject({
      batch_id: "expo 10k",
      source_id: "sms",
      submitted_by: keyIdOf(key),
    });
  });

  it("rejects the rows `import` rejects, by the same line numbers and reasons", async () => {
    const answer = await upload(BAD_FILE, { batch: "bad-rows" });
    const cli = await importSays(h.config, BAD_FILE);
    const cliRejects = [...cli.text.matchAll(/^line (\d+): (.*)$/gm)].map(([, line, reason]) => ({
      line: Number(line),
      reason,
    }));

    expect(answer.status).toBe(202);
    expect(cliRejects.map((r) => r.line)).toEqual([3, 4, 5, 6, 7]);
    expect(resultOf(answer).rejected).toEqual(cliRejects);
    expect(answer.body).toMatchObject({ rows: 7, enqueued: 2, duplicates: 0, rejectedCount: 5 });
    expect(resultOf(answer).rejected[2]?.reason).toContain("already appears on line 2");
  });

  it("skips a file uploaded again as duplicates: nobody gets a second SMS", async () => {
    const file = `pid,password\n${rows(20_000, 20_005)}`;
    const first = await upload(file, { batch: "again" });
    const second = await upload(file, { batch: "again" });
    expect(first.body).toMatchObject({ enqueued: 5, duplicates: 0 });
    expect(second.body).toMatchObject({ enqueued: 0, duplicates: 5, rejectedCount: 0 });
    const resent = await upload(file, { batch: "again", resend: "true" });
    expect(resent.body).toMatchObject({ enqueued: 5, duplicates: 0 });
  });

  it("takes import's options as query parameters, and the encoding from the Content-Type", async () => {
    const file = Buffer.from(
      `Логин;Пароль;Источник\nгость-1;${password(50_030)};sms\nguest-50031;${password(50_031)};sms\n`,
    );
    const windows1251 = Buffer.from(
      // "Логин;Пароль" in windows-1251, then two rows in ASCII
      [0xcb, 0xee, 0xe3, 0xe8, 0xed, 0x3b, 0xcf, 0xe0, 0xf0, 0xee, 0xeb, 0xfc],
    );
    const body = Buffer.concat([
      windows1251,
      Buffer.from(`\nguest-50032;${password(50_032)}\nguest-50033;${password(50_033)}\n`),
    ]);
    const query = { batch: "columns", pid_column: "Логин", password_column: "Пароль" };

    const byCharset = await upload(body, query, "text/csv; charset=windows-1251");
    expect(byCharset.status).toBe(202);
    expect(byCharset.body).toMatchObject({ rows: 2, enqueued: 2, rejectedCount: 0 });

    const named = await upload(file, { ...query, source_id_column: "Источник", delimiter: ";" });
    expect(named.body).toMatchObject({ rows: 2, enqueued: 1, rejectedCount: 1 });
    expect(resultOf(named).rejected[0]).toMatchObject({
      line: 2,
      reason: expect.stringContaining('pid (column "Логин")'),
    });
  });

  it("refuses a file as a whole with import's own message (422), enqueuing nothing", async () => {
    const cases: [string, string | Buffer, string[]][] = [
      ["empty", "", []],
      ["no pid column", "login,password\nann,x\n", []],
      ["not UTF-8", Buffer.from([0x70, 0x69, 0x64, 0x2c, 0xff, 0xfe, 0x0a]), []],
      ["UTF-16 without a byte-order mark", Buffer.from("pid,password\n", "utf16le"), []],
      ["no source, no default", "pid,password\nann,x\n", ["source"]],
    ];
    const before = await jobCount();
    for (const [what, content, special] of cases) {
      const noSource = special.includes("source");
      const cli = await importSays(noSource ? withoutSource() : h.config, content);
      const cliMessage = cli.text
        .split("\n")
        .find((line) => line.startsWith("import: "))
        ?.slice("import: ".length)
        .replace(`${cli.file}: `, "");
      const answer = noSource
        ? await withoutDefaultSource(content)
        : await upload(content, { batch: "refused" });
      expect({ what, status: answer.status, code: cli.code }).toEqual({
        what,
        status: 422,
        code: 2,
      });
      expect({ what, message: answer.body.error?.message }).toEqual({ what, message: cliMessage });
      expect(answer.body.error?.code).toMatch(/^COURIER_(CSV_INVALID|IMPORT_SETUP)$/);
    }
    expect(await jobCount()).toBe(before);
  });

  /** The settings without AXELNAC_SOURCE_ID. */
  const withoutSource = (): Config => ({
    ...h.config,
    producer: { ...h.config.producer, defaultSourceId: undefined },
  });

  /** An upload to a server on the same queue without AXELNAC_SOURCE_ID. */
  const withoutDefaultSource = (content: string | Buffer) => {
    const { AXELNAC_SOURCE_ID: _, ...settings } = SETTINGS;
    return alongside({ settings }, (bare) => upload(content, {}, "text/csv", bare));
  };

  it("refuses a bad batch id, a bad option and another media type with 400 or 415", async () => {
    const tilde = await upload("pid,password\n", { batch: "expo~1" });
    expect(tilde.status).toBe(400);
    expect(tilde.body.error?.code).toBe("REQUEST_INVALID");
    expect(tilde.body.error?.message).toContain('holds "~"');
    const encoding = await upload("pid,password\n", { encoding: "klingon" });
    expect(encoding.status).toBe(400);
    expect(encoding.body.error).toMatchObject({
      code: "COURIER_CSV_INVALID_OPTION",
      message: expect.stringContaining("encoding: unknown encoding"),
    });
    const json = await upload(JSON.stringify({ pid: "ann" }), {}, "application/json");
    expect(json.status).toBe(415);
    expect(json.body.error?.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("refuses a body over the limit: by its Content-Length at once, or when it passes it", async () => {
    const routes = [batchRoutesLimitedTo(4_096)];
    await alongside({ settings: SETTINGS, routes }, async (small) => {
      const file = `pid,password\n${rows(40_000, 40_200)}`;
      const declared = await upload(file, { batch: "too-big" }, "text/csv", small);
      expect(declared.status).toBe(413);
      expect(declared.body.error).toMatchObject({ code: "API_UPLOAD_TOO_LARGE" });
      expect(declared.body.error?.details).toBeUndefined();

      // In pieces, so that the limit is passed part-way through the rows.
      const pieces = file.match(/[\s\S]{1,256}/g) ?? [];
      const chunked = await upload(Readable.from(pieces), { batch: "too-big" }, "text/csv", small);
      expect(chunked.status).toBe(413);
      const details = chunked.body.error?.details as UploadResult;
      expect(details.enqueued).toBeGreaterThan(0);
      expect(details.enqueued).toBeLessThan(200);
      expect(details.stoppedAtLine).toBe(details.enqueued + 2);
    });
  });

  it("lists the first 1,000 rejected rows and counts them all", async () => {
    const empty = Array.from({ length: 1_100 }, (_, n) => `nobody-${n},`).join("\n");
    const answer = await upload(`pid,password\n${empty}\n`, { batch: "all-bad" });
    expect(answer.body).toMatchObject({ rows: 1_100, enqueued: 0, rejectedCount: 1_100 });
    expect(resultOf(answer).rejected).toHaveLength(1_000);
    expect(resultOf(answer).rejected.at(-1)).toEqual({
      line: 1_001,
      reason: "password is empty",
    });
  });

  it("enqueues the whole rows of a body the client cut short, and says so in the log", async () => {
    const before = await jobCount();
    const socket = connect(Number(new URL(h.url).port), "127.0.0.1");
    await once(socket, "connect");
    const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
    socket.write(
      "POST /v1/batches?batch=cut-short HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
        `Authorization: ${authorizationOf(key)}\r\n` +
        "Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    // The route reads the body only once the key, the rate limit and the Idempotency-Key are
    // checked (Redis round trips); a client gone before that was never read, so the hang-up waits
    // until the first 1,000 rows are enqueued (a row is read once the next one starts): the route
    // is reading the body.
    socket.write(chunk(`pid,password\n${rows(60_000, 61_001)}`));
    await waitUntil(async () => (await jobCount()) >= before + 1_000, {
      timeoutMs: 30_000,
      what: "the cut-short upload's first 1,000 rows enqueued",
    });
    // Two more whole rows and half of a third, and the client hangs up without the last chunk.
    socket.write(chunk(`${rows(61_001, 61_003)}guest-61003,${SECRET}`));
    socket.end();
    let line: Record<string, unknown> | undefined;
    await waitUntil(
      () => {
        line = h.log.lines().find((l) => l.msg === "batch uploaded" && l.batchId === "cut-short");
        return line !== undefined;
      },
      { timeoutMs: 30_000, what: "the cut-short upload's log line" },
    );
    expect(line).toMatchObject({ rows: 1_004, enqueued: 1_003, rejected: 1, stoppedAtLine: 1_005 });
    expect(await jobCount()).toBe(before + 1_003);
  });

  it("never echoes, logs or stores in plaintext a password", async () => {
    expect(h.answers.length).toBeGreaterThan(10);
    expect(saidElsewhere).toHaveLength(2);
    expectNoSecrets(h.everythingSaid(), [SECRET]);
    expectNoSecrets(saidElsewhere.join("\n"), [SECRET]);
    expect(h.log.lines().some((line) => line.msg === "batch uploaded")).toBe(true);
    expectNoSecrets(await dumpEverything(h.redis), [SECRET]);
  });
});
