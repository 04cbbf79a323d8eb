import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stderrBeyondTarget } from "../support/cli";
import { deliveryReport, type GuestJob, guestJobs, guestPassword } from "../support/deliveries";
import { failedBatchBench } from "../support/failed-batch-bench";
import { dumpEverything } from "../support/redis-dump";
import { waitUntil } from "../support/wait";

/**
 * A batch sent with a wrong SMS source and, for some guests, a password other than the one the
 * appliance holds, recovered by `failed retry --source-id --passwords FILE`. The simulator does
 * not check the password it is sent (nor is the appliance known to, docs/axelnac-api.md §5): the
 * wrong source makes every send fail, and the outbox shows which password each guest received.
 */
describe("axelnac-courier failed retry --passwords", () => {
  const bench = failedBatchBench();
  const { cli, failedOf } = bench;
  let dir: string;

  /** Enqueues the jobs as the batch, with a source the appliance refuses, and waits for each to fail. */
  const failBatch = async (batch: string, jobs: readonly GuestJob[]) => {
    const { rejected } = await bench.producer.producer.enqueueMany(
      jobs.map((job) => ({ ...job, source_id: "smss", batch_id: batch })),
    );
    expect(rejected).toEqual([]);
    await waitUntil(async () => (await failedOf(batch)).length === jobs.length, {
      timeoutMs: 20_000,
      what: `every job of ${batch} failed`,
    });
  };

  const writeFile = (name: string, text: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "courier-retry-passwords-"));
    await bench.harness.fleet.start(1);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives the guests of the file their corrected password, retries the others as they were, each guest gets one SMS, and no password is left in plaintext", async () => {
    // The passwords the appliance holds; three guests were enqueued with another.
    const guests = guestJobs(5, "expo");
    const enqueued = guests.map((guest, n) =>
      n < 3 ? { ...guest, password: guestPassword() } : guest,
    );
    await failBatch("expo", enqueued);
    expect(deliveryReport(bench.harness.sim, guests).sent).toBe(0);
    const jobOf = new Map((await failedOf("expo")).map((view) => [view.pid, view.id]));

    // As a spreadsheet saves it: a byte-order mark, CRLF line ends, a separator of its choice.
    const file = writeFile(
      "expo.csv",
      `\uFEFFpid;password\r\n${guests
        .slice(0, 3)
        .map((guest) => `${guest.pid};${guest.password}`)
        .join("\r\n")}\r\n`,
    );
    const retried = await cli(
      "failed",
      "retry",
      "--batch",
      "expo",
      "--source-id",
      "sms",
      "--passwords",
      file,
    );
    expect({ code: retried.code, stderr: stderrBeyondTarget(retried.stderr) }).toEqual({
      code: 0,
      stderr: "",
    });
    expect(retried.stdout).toBe("retried 5 failed deliveries, 3 with a new password\n");

    await waitUntil(() => deliveryReport(bench.harness.sim, guests).delivered === guests.length, {
      timeoutMs: 20_000,
      what: "every guest delivered",
    });
    expect(deliveryReport(bench.harness.sim, guests)).toMatchObject({
      sent: 5,
      duplicated: [],
      missing: [],
      wrongPassword: [],
    });
    expect(await failedOf("expo")).toEqual([]);
    const everything = await dumpEverything(bench.harness.redis);
    for (const job of [...guests, ...enqueued]) expect(everything).not.toContain(job.password);

    // The corrected file imported later: a duplicate of the retried job, not a second SMS.
    const again = await bench.producer.producer.enqueueMany(
      guests.slice(0, 3).map((guest) => ({ ...guest, batch_id: "expo" })),
    );
    expect(again.accepted.map(({ duplicate, jobId }) => ({ duplicate, jobId }))).toEqual(
      guests.slice(0, 3).map((guest) => ({ duplicate: true, jobId: jobOf.get(guest.pid) })),
    );
  }, 60_000);

  it("refuses a file with a bad line, naming the line, and changes no job", async () => {
    const guests = guestJobs(3, "fair");
    await failBatch("fair", guests);
    const ids = (await failedOf("fair")).map((view) => view.id);
    const snapshot = async () =>
      Promise.all(
        ids.map(async (id) => bench.harness.redis.hgetall(bench.harness.queue.toKey(id))),
      );
    const before = await snapshot();
    const [ann, bob] = guests as [GuestJob, GuestJob];
    const cases: [string, string | Buffer, string][] = [
      [
        "unknown pid",
        `pid,password\n${ann.pid},${guestPassword()}\nnobody,${guestPassword()}\n`,
        "line 3: no failed delivery for nobody in batch fair",
      ],
      [
        "a pid twice",
        `pid,password\n${ann.pid},${guestPassword()}\n${bob.pid},${guestPassword()}\n${ann.pid},${guestPassword()}\n`,
        `line 4: ${ann.pid} is also on line 2`,
      ],
      [
        "an empty password",
        `pid,password\n${ann.pid},${guestPassword()}\n${bob.pid},\n`,
        "line 3: password is empty",
      ],
      [
        "a password with a blank at its end",
        `pid,password\n${ann.pid},"${guestPassword()} "\n`,
        `line 2: the password for ${ann.pid} must not start or end with a space`,
      ],
      [
        "bytes that are not UTF-8",
        Buffer.concat([
          Buffer.from(`pid,password\n${ann.pid},${guestPassword()}\n${bob.pid},`),
          Buffer.from([0xff, 0xfe, 0x0a]),
        ]),
        "line 3: the file is not valid UTF-8",
      ],
      [
        "no password column",
        `pid,secret\n${ann.pid},${guestPassword()}\n`,
        "line 1: the header must name the columns pid and password",
      ],
    ];
    for (const [name, text, message] of cases) {
      const file = writeFile(`${name.replace(/ /g, "-")}.csv`, text);
      const result = await cli("failed", "retry", "--batch", "fair", "--passwords", file);
      expect({ name, code: result.code, stdout: result.stdout }).toEqual({
        name,
        code: 2,
        stdout: "",
      });
      expect(result.stderr).toContain(`${file}: ${message}`);
    }
    expect(await snapshot()).toEqual(before);
    expect((await failedOf("fair")).map((view) => view.id)).toEqual(ids);
  }, 60_000);

  it("refuses --passwords without retry, a missing file, and reader flags without --passwords, with exit 2; --help tells of it", async () => {
    const help = await cli("failed", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("[--passwords FILE [--delimiter D] [--encoding LABEL]]");
    const onPurge = await cli("failed", "purge", "--all", "--passwords", "x.csv");
    expect(onPurge.code).toBe(2);
    expect(onPurge.stderr).toContain("--passwords goes with retry only");
    const missing = join(dir, "missing.csv");
    const absent = await cli("failed", "retry", "--all", "--passwords", missing);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toContain(`cannot read ${missing}: ENOENT (no such file)`);
    const alone = await cli("failed", "retry", "--all", "--encoding", "koi8-r");
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain("--delimiter and --encoding go with --passwords FILE");
    const unknown = await cli(
      "failed",
      "retry",
      "--all",
      "--passwords",
      missing,
      "--encoding",
      "x",
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--encoding: unknown encoding");
  });
});
