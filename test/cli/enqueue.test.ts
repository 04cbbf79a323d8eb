import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Queue } from "bullmq";
import { runEnqueue } from "../../src/cli/enqueue";
import { CANCELLED, PasswordInputError, readPassword } from "../../src/cli/read-password";
import { runCli, stderrBeyondTarget } from "../support/cli";
import { expectNoSecrets } from "../support/log-sink";
import { REPO_ROOT } from "../support/processes";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";

describe("axelnac-courier enqueue", () => {
  const redis = testRedis();
  const queue = new Queue(`test-${randomUUID()}`, { connection: redis });
  const prefix = uniquePrefix("cli-enqueue");
  const PASSWORD = "S3cret-pw-4417!";
  let env: Record<string, string>;

  beforeAll(() => {
    env = {
      REDIS_URL: testRedisUrl(),
      QUEUE_NAME: queue.name,
      REDIS_KEY_PREFIX: prefix,
      AXELNAC_SOURCE_ID: "sms-gw-1",
    };
  });

  afterAll(async () => {
    await deleteKeys(redis, `bull:${queue.name}:`);
    await deleteKeys(redis, prefix);
    await queue.close();
    redis.disconnect();
  });

  // A job id is a UUID, led by the batch id when there is one.
  const JOB_ID = "((?:[A-Za-z0-9._-]+~)?[0-9a-f-]{36})";

  it("enqueues the password read from stdin, then says a repeat is a duplicate, unless --resend", async () => {
    const first = await runCli(
      ["enqueue", "--pid", "jdoe", "--reference", "crm-42"],
      env,
      `${PASSWORD}\r\n`,
    );
    expect(first.code).toBe(0);
    // stdout is the one line scripts read; the log goes to stderr, after the Redis and queue used.
    expect(
      stderrBeyondTarget(first.stderr)
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).msg),
    ).toEqual(["credential delivery enqueued"]);
    const [, jobId = ""] =
      new RegExp(`^enqueued delivery ${JOB_ID} for jdoe\\n$`).exec(first.stdout) ?? [];
    const job = await queue.getJob(jobId);
    // AXELNAC_SOURCE_ID is the default source.
    expect(job?.data).toEqual({
      pid: "jdoe",
      password: PASSWORD,
      source_id: "sms-gw-1",
      reference: "crm-42",
    });

    const again = await runCli(["enqueue", "--pid", "jdoe"], env, `${PASSWORD}\n`);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(
      `duplicate: jdoe was already enqueued as job ${jobId} within the duplicate window (24h); use --resend to send again\n`,
    );

    const resent = await runCli(["enqueue", "--pid", "jdoe", "--resend"], env, PASSWORD);
    expect(resent.code).toBe(0);
    const [, resentId] =
      new RegExp(`^enqueued delivery ${JOB_ID} for jdoe\\n$`).exec(resent.stdout) ?? [];
    expect(resentId).not.toBe(jobId);
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 2 });

    for (const result of [first, again, resent]) {
      expectNoSecrets(result.stdout + result.stderr, [PASSWORD]);
    }
  });

  it("--json prints the result as one JSON object, a duplicate too", async () => {
    const args = ["enqueue", "--pid", "json-guest", "--batch", "Ярмарка 1", "--json"];
    const first = await runCli(args, env, `${PASSWORD}\n`);
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result).toEqual({
      jobId: expect.stringMatching(/^Ярмарка 1~[0-9a-f-]{36}$/),
      duplicate: false,
      pid: "json-guest",
      batch: "Ярмарка 1",
    });
    expect((await queue.getJob(result.jobId))?.data.pid).toBe("json-guest");
    const again = await runCli(args, env, `${PASSWORD}\n`);
    expect(JSON.parse(again.stdout)).toEqual({ ...result, duplicate: true });
    expect(again.stdout.split("\n")).toHaveLength(2);
  });

  /** The command run on a pseudo-terminal (util-linux `script`), stdout and stderr as one screen. */
  const onTerminal = (args: string[], settings: Record<string, string>) =>
    new Promise<{ code: number | null; screen: string }>((resolve, reject) => {
      const quoted = [process.execPath, join(REPO_ROOT, "dist", "src", "cli", "main.js"), ...args]
        .map((word) => `'${word.replaceAll("'", "'\\''")}'`)
        .join(" ");
      const child = spawn("script", ["-qec", quoted, "/dev/null"], {
        env: { PATH: process.env.PATH ?? "", ...settings },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let screen = "";
      child.stdout.on("data", (chunk) => {
        screen += chunk;
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, screen }));
    });

  it("on a terminal, says what it did in a sentence and logs readable lines, not JSON (LOG_FORMAT auto)", async () => {
    const args = [
      "enqueue",
      "--pid",
      "tty-guest",
      "--password",
      PASSWORD,
      "--batch",
      "tty",
      "--resend",
    ];
    const auto = await onTerminal(args, env);
    expect(auto.code).toBe(0);
    expect(auto.screen).toMatch(
      /^enqueued delivery tty~[0-9a-f-]{36} for tty-guest in batch tty\r?$/m,
    );
    expect(auto.screen).toMatch(/INFO.*credential delivery enqueued/);
    expect(auto.screen).not.toMatch(/\{"level"/);
    expectNoSecrets(auto.screen, [PASSWORD]);

    // LOG_FORMAT=json keeps JSON log lines, on a terminal too.
    const json = await onTerminal(args, { ...env, LOG_FORMAT: "json" });
    expect(json.screen).toMatch(/^\{"level":30,.*"msg":"credential delivery enqueued"\}\r?$/m);
  });

  it("takes --password, --source-id, --batch, --priority and --send-at", async () => {
    const sendAt = new Date(Date.now() + 3_600_000);
    const result = await runCli(
      [
        "enqueue",
        "--pid",
        "asmith",
        "--source-id",
        "sms-gw-2",
        "--password",
        "arg-pw-1",
        "--batch",
        "fair-2025",
        "--priority",
        "3",
        "--send-at",
        sendAt.toISOString(),
      ],
      env,
    );
    expect(result.code).toBe(0);
    const [, jobId = ""] =
      new RegExp(`^enqueued delivery ${JOB_ID} for asmith in batch fair-2025\\n$`).exec(
        result.stdout,
      ) ?? [];
    const job = await queue.getJob(jobId);
    expect(job?.data).toEqual({
      pid: "asmith",
      password: "arg-pw-1",
      source_id: "sms-gw-2",
      batch_id: "fair-2025",
    });
    expect(job?.priority).toBe(3);
    expect(await job?.getState()).toBe("delayed");
    expect((job?.timestamp ?? 0) + (job?.delay ?? 0)).toBeGreaterThanOrEqual(sendAt.getTime() - 5);
  });

  it("refuses bad arguments with exit 2 and a message naming them, enqueuing nothing", async () => {
    const before = await queue.getJobCounts();
    const cases: [string[], Record<string, string>, RegExp][] = [
      [[], env, /^enqueue: --pid is required/],
      [["--pid", "jdoe", "--send-at", "tomorrow"], env, /--send-at: "tomorrow" is not an ISO 8601/],
      [["--pid", "jdoe"], { ...env, AXELNAC_SOURCE_ID: "" }, /--source-id .*AXELNAC_SOURCE_ID/],
    ];
    const [results, list] = await Promise.all([
      Promise.all(cases.map(([args, caseEnv]) => runCli(["enqueue", ...args], caseEnv, PASSWORD))),
      runCli(["--help"]),
    ]);
    results.forEach((result, i) => {
      const [args, , message] = cases[i] ?? [];
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({
        args,
        code: 2,
        stdout: "",
      });
      expect(result.stderr).toMatch(message ?? /./);
      expectNoSecrets(result.stderr, [PASSWORD]);
    });
    expect(list.stdout).toMatch(/^ {2}enqueue {4}enqueue one credential delivery/m);
    expect(await queue.getJobCounts()).toEqual(before);
  });
});

describe("runEnqueue's checks before Redis", () => {
  /** Runs the command in this process; every case here stops before connecting anywhere. */
  async function run(args: string[], input = "pw-in-process-1\n") {
    const stdin = new PassThrough();
    stdin.end(input);
    const out = { stdout: new PassThrough(), stderr: new PassThrough() };
    const text = { stdout: "", stderr: "" };
    out.stdout.on("data", (chunk) => {
      text.stdout += chunk;
    });
    out.stderr.on("data", (chunk) => {
      text.stderr += chunk;
    });
    const code = await runEnqueue(args, { ...out, stdin });
    return { code, ...text };
  }
  const base = ["--pid", "jdoe", "--source-id", "s"];

  it.each([
    [[...base, "--send-at", "2025-02-30T10:00:00Z"], /^enqueue: --send-at: "2025-02-30T10:00:00Z"/],
    [[...base, "--send-at", "2025-06-01T10:00:00"], /with a time zone/],
    [[...base, "--send-at", "2025-06-01"], /--send-at: /],
    [[...base, "--priority", "high"], /^enqueue: --priority: "high" is not a whole number/],
    [[...base, "--priority", "0"], /--priority: "0"/],
    [[...base, "--priority", "2097152"], /--priority: "2097152" .* to 2097151/],
    [
      ["--pid", "j doe", "--source-id", "s"],
      /^enqueue: invalid job: pid: AxelNAC accepts only ASCII/,
    ],
    [[...base, "--batch", ""], /^enqueue: invalid job: batch_id: /],
    [[...base, "--colour"], /^enqueue: Unknown option '--colour'/],
    [["--pid", "jdoe", "extra"], /^enqueue: Unexpected argument 'extra'/],
  ])("%j → exit 2", async (args, message) => {
    const result = await run(args);
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toMatch(message);
  });

  it("refuses a password with a leading or trailing space, as import does, before connecting", async () => {
    const refused = {
      code: 2,
      stdout: "",
      stderr:
        "enqueue: invalid job: password: must not start or end with a space or other blank character\n",
    };
    // Nothing listens there: a command that connected would fail with exit 1 instead.
    const redisUrl = process.env.REDIS_URL;
    process.env.REDIS_URL = "redis://127.0.0.1:1";
    try {
      for (const input of ["pw-with-space \n", " pw-with-space\n", "pw-with-space\t\n"]) {
        expect(await run(base, input)).toEqual(refused);
      }
      expect(await run([...base, "--password", " pw-with-space"])).toEqual(refused);
    } finally {
      process.env.REDIS_URL = redisUrl;
    }
  });

  it("refuses two lines on standard input instead of sending the first", async () => {
    expect(await run(base, "pw-line-one\npw-line-two\n")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "enqueue: standard input holds more than one line; the password is one line, without line breaks\n",
    });
  });

  it("refuses an empty password", async () => {
    expect(await run(base, "\r\n")).toEqual({
      code: 2,
      stdout: "",
      stderr: "enqueue: the password is empty\n",
    });
  });

  it("describes itself with --help, discouraging --password", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: axelnac-courier enqueue --pid PID/);
    expect(help.stdout).toMatch(/--password PW .*Avoid it:\s+it stays in shell history/s);
  });
});

describe("the password prompt on a terminal", () => {
  /** Enough of a TTY for the prompt: raw mode switches are recorded. */
  class FakeTerminal extends PassThrough {
    readonly isTTY = true;
    readonly rawModes: boolean[] = [];
    setRawMode(raw: boolean): this {
      this.rawModes.push(raw);
      return this;
    }
  }
  const nextTick = () => new Promise((resolve) => setImmediate(resolve));

  async function type(terminal: FakeTerminal, keys: string[]): Promise<void> {
    for (const key of keys) {
      terminal.write(key);
      await nextTick(); // one key press per chunk, as a terminal sends them
    }
  }

  function screen(): { stream: PassThrough; text: () => string } {
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (chunk) => {
      text += chunk;
    });
    return { stream, text: () => text };
  }

  it("prompts on stderr, echoes nothing, handles erasing, and ends at Enter", async () => {
    const terminal = new FakeTerminal();
    const stderr = screen();
    const password = readPassword(terminal, stderr.stream, "jdoe");
    await type(terminal, [
      "x",
      "\u0015",
      "p",
      "a",
      "z",
      "\u007f",
      "s",
      "\u001b[A",
      "s",
      "w0rd",
      "\r",
    ]);

    expect(await password).toBe("passw0rd");
    expect(stderr.text()).toBe("Password for jdoe: \n");
    expect(terminal.rawModes).toEqual([true, false]);
  });

  it("gives up on Ctrl-C, and the command exits 130 without touching Redis", async () => {
    const terminal = new FakeTerminal();
    const stderr = screen();
    const stdout = screen();
    const exit = runEnqueue(["--pid", "jdoe", "--source-id", "s"], {
      stdout: stdout.stream,
      stderr: stderr.stream,
      stdin: terminal,
    });
    await type(terminal, ["sec", "\u0003"]);

    expect(await exit).toBe(130);
    expect(stdout.text()).toBe("");
    expect(terminal.rawModes).toEqual([true, false]);

    const another = new FakeTerminal();
    const cancelled = readPassword(another, new PassThrough(), "jdoe");
    await type(another, ["\u0003"]);
    expect(await cancelled).toBe(CANCELLED);
  });

  it.each([
    ["a line and its line break", "from-a-pipe\n"],
    ["a CRLF", "from-a-pipe\r\n"],
    ["no line break", "from-a-pipe"],
    ["blank lines around it", "\r\nfrom-a-pipe\n\n"],
  ])("reads a piped password from %s, to the end of the input", async (_case, input) => {
    const pipe = new PassThrough();
    const password = readPassword(pipe, new PassThrough(), "jdoe");
    pipe.end(input);
    expect(await password).toBe("from-a-pipe");
    expect(pipe.destroyed).toBe(true);
  });

  it("keeps blanks around a piped password for the job's checks to judge", async () => {
    const pipe = new PassThrough();
    const password = readPassword(pipe, new PassThrough(), "jdoe");
    pipe.end(" padded \n");
    expect(await password).toBe(" padded ");
  });

  it.each([
    ["two lines", "first\nsecond\n"],
    ["a line break inside, CR only", "first\rsecond"],
    ["a second line after a blank one", "first\r\n\r\nsecond"],
  ])(
    "refuses %s at once, even on a pipe that stays open, without quoting them",
    async (_case, text) => {
      const pipe = new PassThrough();
      const password = readPassword(pipe, new PassThrough(), "jdoe");
      pipe.write(text);
      const error = await password.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PasswordInputError);
      expect((error as Error).message).toBe(
        "standard input holds more than one line; the password is one line, without line breaks",
      );
      expect(pipe.destroyed).toBe(true);
    },
  );
});
