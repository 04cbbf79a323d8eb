import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BatchStatus } from "../../src/batches/batch-status";
import type { FailedJobView } from "../../src/batches/failed-jobs";
import { runCli, stderrBeyondTarget } from "../support/cli";
import { DeliveryHarness } from "../support/delivery-harness";
import { waitUntil } from "../support/wait";

const BATCH = "Выставка 2026";

describe("a batch named in the operator's language, with a space", () => {
  let h: DeliveryHarness;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    h = await DeliveryHarness.start({
      simulator: {
        guests: new Map([
          ["guest-1", "+79990001122"],
          ["guest-2", "+79990001123"],
        ]),
      },
      settings: { DELIVERY_ATTEMPTS: "1" },
    });
    env = h.workerEnv();
    dir = mkdtempSync(join(tmpdir(), "batch-language-"));
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const status = async (): Promise<BatchStatus> => {
    const result = await runCli(["status", "--batch", BATCH, "--json"], env);
    expect({ ...result, stderr: stderrBeyondTarget(result.stderr) }).toMatchObject({
      code: 0,
      stderr: "",
    });
    return JSON.parse(result.stdout) as BatchStatus;
  };
  const settled = (failed: number) =>
    waitUntil(
      async () => {
        const s = await status();
        return s.delivered === 2 && s.failed === failed && s.waiting + s.active === 0;
      },
      { timeoutMs: 30_000, what: `batch ${BATCH}: 2 delivered, ${failed} failed` },
    );

  it("imports, delivers, shows its status and its failed delivery, and retries it", async () => {
    const file = join(dir, "guests.csv");
    writeFileSync(
      file,
      "pid,password,reference\nguest-1,Pa55-one,REG-1\nghost-1,Pa55-two,REG-2\nguest-2,Pa55-three,REG-3\n",
    );
    const imported = await runCli(["import", file, "--batch", BATCH, "--source-id", "sms"], env);
    expect(imported).toMatchObject({
      code: 0,
      stdout: `batch ${BATCH}: 3 rows, 3 enqueued, 0 duplicates skipped, 0 rejected\n`,
    });
    await h.fleet.start(1);
    await settled(1);
    expect(await status()).toMatchObject({ batch: BATCH, total: 3, delivered: 2, failed: 1 });

    const text = await runCli(["status", "--batch", BATCH], env);
    expect(text.stdout).toMatch(/^batch Выставка 2026 +total 3 +delivered 2 +failed 1/);
    const recent = await runCli(["status"], env);
    expect(recent.stdout).toContain(`batch ${BATCH} `);

    const listed = await runCli(["failed", "list", "--batch", BATCH, "--json"], env);
    expect({ ...listed, stderr: stderrBeyondTarget(listed.stderr) }).toMatchObject({
      code: 0,
      stderr: "",
    });
    const failed = JSON.parse(listed.stdout) as FailedJobView[];
    expect(failed).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^Выставка 2026~/),
        batch: BATCH,
        pid: "ghost-1",
        reference: "REG-2",
        // The file's line 3 (its header is line 1), carried by the job from the import.
        line: 3,
        code: "AXELNAC_GUEST_NOT_FOUND",
      }),
    ]);
    const lines = await runCli(["failed", "list", "--batch", BATCH], env);
    expect(lines.stdout).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d {2}line 3 {2}reference REG-2 {2}pid ghost-1 {2}AXELNAC_GUEST_NOT_FOUND {2}\S.* {2}attempts 1 {2}job Выставка 2026~[0-9a-f-]{36}\n$/,
    );
    expect(lines.stdout.match(/AXELNAC_GUEST_NOT_FOUND/g)).toHaveLength(1);

    // The retry script finds the batch inside Redis as the worker counted it: the batch's failed
    // count goes down with the retry and up again when the delivery fails again, to 1, not 2.
    const retried = await runCli(["failed", "retry", "--batch", BATCH], env);
    expect(retried).toMatchObject({ code: 0, stdout: "retried 1 failed delivery\n" });
    await waitUntil(
      async () => {
        const again = await runCli(["failed", "list", "--batch", BATCH, "--json"], env);
        const [job] = JSON.parse(again.stdout) as FailedJobView[];
        return job !== undefined && job.failedAt !== failed[0]?.failedAt;
      },
      { what: "the retried delivery failed again", intervalMs: 200 },
    );
    expect(await status()).toMatchObject({ total: 3, delivered: 2, failed: 1 });
  });

  it.each([
    ["import", ["import", "FILE", "--source-id", "sms"]],
    ["onboard", ["onboard", "FILE", "--role", "guest", "--access-duration", "8h"]],
  ])("%s --batch refuses an id that names its problem, and writes nothing", async (_, args) => {
    const file = join(dir, "one.csv");
    writeFileSync(file, "pid,password\nguest-1,Pa55-one\n");
    const argv = args.map((arg) => (arg === "FILE" ? file : arg));
    const refused = await runCli([...argv, "--batch", "Выставка~2026"], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '--batch: "Выставка~2026" holds "~": a batch id is made of letters, digits, single spaces between words and - _ .',
    );
  });

  it.each([["list"], ["retry"], ["purge"]])(
    "failed %s --batch refuses an id no job can carry, naming its problem",
    async (action) => {
      const refused = await runCli(["failed", action, "--batch", "Выставка:2026"], env);
      expect(refused).toMatchObject({ code: 2, stdout: "" });
      expect(refused.stderr).toMatch(/^failed: --batch: "Выставка:2026" holds ":"/);
    },
  );

  it("enqueue --batch takes the same ids, and refuses the same", async () => {
    const taken = await runCli(
      ["enqueue", "--pid", "guest-2", "--source-id", "sms", "--batch", "Ярмарка 1", "--json"],
      env,
      "Pa55-four\n",
    );
    expect(taken.code).toBe(0);
    const refused = await runCli(
      ["enqueue", "--pid", "guest-2", "--source-id", "sms", "--batch", "Ярмарка:1"],
      env,
      "Pa55-four\n",
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^enqueue: invalid job: batch_id: holds ":"/);
  });
});
