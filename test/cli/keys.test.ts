import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyStatus } from "../../src/key-rotation/key-status";
import type { KeyRotation } from "../../src/key-rotation/rotate-keys";
import { KeyRing } from "../../src/secrets";
import { runCli, stderrBeyondTarget } from "../support/cli";
import { runCommand } from "../support/command-in-process";
import {
  deliveryReport,
  type GuestJob,
  guestJobs,
  guestPassword,
  waitForAllDelivered,
} from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { waitUntil } from "../support/wait";

const OLD = `old:${Buffer.alloc(32, 21).toString("base64")}`;
const NEW = `new:${Buffer.alloc(32, 22).toString("base64")}`;
const ROTATED = `${NEW},${OLD}`;
const GHOST = "ghost-guest";

describe("axelnac-courier keys", () => {
  let h: DeliveryHarness | undefined;
  const dir = mkdtempSync(join(tmpdir(), "axelnac-courier-keys-"));

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("generate prints a new ring entry on stdout", async () => {
    const [one, two] = await Promise.all([
      runCli(["keys", "generate"]),
      runCli(["keys", "generate"]),
    ]);
    expect(one).toMatchObject({ code: 0, stderr: "" });
    const entry = one.stdout.trim();
    expect(entry).toMatch(/^k\d{8}-[0-9a-f]{6}:[A-Za-z0-9+/]{43}=$/);
    expect(KeyRing.parse(entry).activeKey).toHaveLength(32);
    expect(two.stdout.trim()).not.toBe(entry);
  });

  it.each([
    [[], "keys: an action is required: generate, rotate or status"],
    [["spin"], 'keys: unknown action "spin": use generate, rotate or status'],
    [["generate", "--json"], "keys: generate takes no options"],
    [["status", "--discard-token"], "keys: --discard-token is for rotate"],
  ])("refuses %j with exit 2", async (args, message) => {
    const run = await runCommand(["keys", ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n")[0]).toBe(message);
    expect(run.stderr).toContain("usage: axelnac-courier keys generate");
  });

  it.each(["worker", "check", "keys status"])(
    "%s stops with exit 2 on a malformed ring, naming the entry and never the key",
    async (command) => {
      const short = Buffer.alloc(16, 23).toString("base64");
      // As processes: worker and check log to the process' own stdout, which must stay empty.
      const run = await runCli(command.split(" "), {
        JOB_ENCRYPTION_KEYS: `${NEW},short:${short}`,
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        "invalid configuration:\n  JOB_ENCRYPTION_KEYS: entry 2 (short): the key is 16 bytes; it must be 32\n",
      );
      expect(run.stdout).toBe("");
    },
  );

  it("rotate re-seals stored jobs in every resting state and the token, and a worker with only the new key delivers them", async () => {
    const waiting = guestJobs(1, "waiting")[0] as GuestJob;
    const scheduled = guestJobs(1, "scheduled")[0] as GuestJob;
    const imported = guestJobs(10, "imported");
    const ghost = { pid: GHOST, password: guestPassword(), source_id: "sms" };
    const known = [waiting, scheduled, ...imported];
    h = await DeliveryHarness.start({
      simulator: { guests: new Map(known.map((g) => [g.pid, "+79990000000"])) },
    });
    const harness = h;
    const env = (ring: string) =>
      harness.workerEnv({ JOB_ENCRYPTION_KEYS: ring, LOG_LEVEL: "warn" });
    const cli = (args: string[], ring: string, input?: string) =>
      runCommand(args, env(ring), input);

    // Under the old key: a failed job (and the token, from the login that found the ghost)…
    await h.fleet.start(1, { JOB_ENCRYPTION_KEYS: OLD });
    expect(
      (await cli(["enqueue", "--pid", GHOST, "--source-id", "sms"], OLD, ghost.password)).code,
    ).toBe(0);
    await waitUntil(async () => (await harness.queue.getFailedCount()) === 1, {
      what: "the ghost's failure",
    });
    await h.fleet.killAll();
    // …a waiting job, a scheduled one, and an import (the import lane: prioritized).
    expect(
      (await cli(["enqueue", "--pid", waiting.pid, "--source-id", "sms"], OLD, waiting.password))
        .code,
    ).toBe(0);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const sendAt = ["--send-at", later, "--pid", scheduled.pid, "--source-id", "sms"];
    expect((await cli(["enqueue", ...sendAt], OLD, scheduled.password)).code).toBe(0);
    const csv = join(dir, "registrations.csv");
    writeFileSync(
      csv,
      `pid,password\n${imported.map((g) => `${g.pid},${g.password}`).join("\n")}\n`,
    );
    expect((await cli(["import", csv, "--source-id", "sms"], OLD)).code).toBe(0);

    const before = await cli(["keys", "status", "--json"], ROTATED);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toEqual({
      ring: ["new", "old"],
      activeKey: "new",
      jobs: { old: { waiting: 1, prioritized: 10, delayed: 1, failed: 1, active: 0, total: 13 } },
      tokens: { old: 1 },
      webhookSecrets: {},
      keysNotInRing: [],
    } satisfies KeyStatus);

    const rotated = await cli(["keys", "rotate", "--json"], ROTATED);
    expect({ ...rotated, stderr: stderrBeyondTarget(rotated.stderr) }).toMatchObject({
      code: 0,
      stderr: "",
    });
    expect(JSON.parse(rotated.stdout)).toMatchObject({
      activeKey: "new",
      jobs: {
        resealed: { waiting: 1, prioritized: 10, delayed: 1, failed: 1 },
        resealedFrom: { old: 13 },
        keyMissing: {},
        unauthentic: 0,
      },
      token: { resealed: 1, discarded: 0, unreadable: 0 },
    } satisfies Partial<Record<keyof KeyRotation, unknown>>);

    const after = await cli(["keys", "status"], NEW);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/^key ring {5}new \(active\)$/m);
    expect(after.stdout).toMatch(/^ {2}new +1 +10 +1 +1 +0 +13$/m);
    expect(after.stdout).not.toMatch(/old/);
    expect(after.stdout).toMatch(/^shared token new 1$/m);

    // A worker that holds only the new key: every job opens, and the re-sealed token is used.
    await h.fleet.start(1, { JOB_ENCRYPTION_KEYS: NEW });
    await h.queue.promoteJobs();
    expect((await cli(["failed", "retry", "--all"], NEW)).stdout).toBe(
      "retried 1 failed delivery\n",
    );
    await waitForAllDelivered(h.sim, h.queue, known, 20_000);
    expect(deliveryReport(h.sim, known)).toMatchObject({
      sent: 12,
      duplicates: 0,
      wrongPassword: [],
    });
    await waitUntil(async () => (await harness.queue.getFailedCount()) === 1, {
      what: "the ghost again",
    });
    const [failed] = await h.queue.getFailed();
    expect(failed?.failedReason).toMatch(/^AXELNAC_GUEST_NOT_FOUND: /);
    expect(h.sim.stats().logins).toBe(1);
  });

  it("status counts plaintext jobs without a ring; rotate needs one", async () => {
    h = await DeliveryHarness.start();
    await h.enqueue(guestJobs(3, "plain"));
    const env = h.workerEnv({ LOG_LEVEL: "warn" });
    const status = await runCommand(["keys", "status"], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^key ring {5}none \(JOB_ENCRYPTION_KEYS is not set\)$/m);
    expect(status.stdout).toMatch(/^ {2}plaintext +3 +0 +0 +0 +0 +3$/m);
    expect(status.stdout).toMatch(/^shared token none stored$/m);

    const rotate = await runCommand(["keys", "rotate"], env);
    expect(rotate.code).toBe(2);
    expect(rotate.stderr).toBe(
      "keys rotate: JOB_ENCRYPTION_KEYS (or JOB_ENCRYPTION_KEYS_FILE) is not set: there is no key to rotate to\n",
    );
  });

  it("rotate seals plaintext jobs, keeps those under a key the ring lacks, says which, and exits 1", async () => {
    h = await DeliveryHarness.start();
    const plain = guestJobs(2, "plain");
    await h.enqueue(plain);
    const env = h.workerEnv({ JOB_ENCRYPTION_KEYS: OLD, LOG_LEVEL: "warn" });
    await runCommand(["enqueue", "--pid", "under-old", "--source-id", "sms"], env, guestPassword());

    const rotate = await runCommand(["keys", "rotate"], { ...env, JOB_ENCRYPTION_KEYS: NEW });
    expect(rotate.code).toBe(1);
    expect(rotate.stdout).toMatch(/^re-sealed under new:$/m);
    expect(rotate.stdout).toMatch(/^ {2}waiting +2$/m);
    expect(rotate.stdout).toMatch(/^ {2}from {8}plaintext 2$/m);
    expect(rotate.stdout).toContain(
      "not re-sealed: 1 job under old, which JOB_ENCRYPTION_KEYS lacks: add old to the ring (after the active key) and run again",
    );
    const status = await runCommand(["keys", "status", "--json"], {
      ...env,
      JOB_ENCRYPTION_KEYS: NEW,
    });
    const counts = JSON.parse(status.stdout) as KeyStatus;
    expect(counts.jobs).toEqual({
      new: { waiting: 2, prioritized: 0, delayed: 0, failed: 0, active: 0, total: 2 },
      old: { waiting: 1, prioritized: 0, delayed: 0, failed: 0, active: 0, total: 1 },
    });
    expect(counts.keysNotInRing).toEqual(["old"]);
    const raw = await h.redis.hget(`bull:${h.queueName}:1`, "data");
    expect(raw).not.toContain((plain[0] as GuestJob).password);
  });
});
