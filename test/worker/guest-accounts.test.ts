import { randomUUID } from "node:crypto";
import { readAccountCounts } from "../../src/batches/account-counts";
import { batchKeys } from "../../src/batches/batch-keys";
import type { GuestAccountsJob, OnboardedGuest } from "../../src/jobs/guest-accounts-job";
import { writeGuestAccounts } from "../../src/producer/guest-accounts-writer";
import { runCli } from "../support/cli";
import { expectCleanLogs } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { waitUntil } from "../support/wait";

const BATCH = "event-day";

function guests(count: number, from = 0): OnboardedGuest[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return {
      line: n + 2,
      pid: `7912${String(n).padStart(7, "0")}`,
      firstname: "Иван",
      lastname: `Петров-${n}`,
      email: `guest${n}@example.org`,
      telephone: `+7912${String(n).padStart(7, "0")}`,
      company: "ООО Ромашка",
    };
  });
}

function onboardingJob(list: OnboardedGuest[], overrides: Partial<GuestAccountsJob> = {}) {
  return {
    batch_id: BATCH,
    source_id: "sms",
    run: randomUUID(),
    reset_passwords: false,
    account: {
      valid_from: "2030-06-10 09:00:00",
      expiration: "2030-06-12 18:00:00",
      actions: [
        { type: "set_role", value: "guest" },
        { type: "set_access_duration", value: "3D" },
      ],
    },
    guests: list,
    ...overrides,
  } satisfies GuestAccountsJob;
}

describe("worker: onboarding jobs create guest accounts, then send each new guest its password", () => {
  let h: DeliveryHarness | undefined;

  afterEach(async () => {
    await h?.fleet.killAll();
    await h?.close();
    h = undefined;
  });

  async function write(jobs: GuestAccountsJob[]) {
    const harness = h as DeliveryHarness;
    return writeGuestAccounts(harness.queue, jobs, {
      keys: batchKeys(harness.keyPrefix, harness.queueName),
      keyRing: undefined,
      failedRetentionMs: 86_400_000,
      priority: 1_001,
    });
  }

  async function counts() {
    const harness = h as DeliveryHarness;
    return readAccountCounts(harness.redis, batchKeys(harness.keyPrefix, harness.queueName), BATCH);
  }

  async function waitForOutbox(count: number) {
    await waitUntil(() => (h?.sim.outbox().length ?? 0) >= count, {
      timeoutMs: 30_000,
      what: `${count} SMS in the outbox`,
      describe: () => h?.fleet.output().slice(-3_000),
    });
    await waitUntil(
      async () =>
        (await h?.queue.getActiveCount()) === 0 && (await h?.queue.getWaitingCount()) === 0,
      {
        what: "an idle queue",
      },
    );
  }

  it("creates each guest with its fields, role and validity, and sends an SMS carrying the password the appliance holds, to the guest's phone", async () => {
    h = await DeliveryHarness.start();
    const list = guests(30);
    await write([onboardingJob(list.slice(0, 10)), onboardingJob(list.slice(10))]);
    await h.fleet.start(2);
    await waitForOutbox(30);

    const outbox = h.sim.outbox();
    expect(outbox).toHaveLength(30);
    for (const guest of list) {
      const stored = h.sim.guest(guest.pid);
      expect(stored).toMatchObject({
        pid: guest.pid,
        telephone: guest.telephone,
        firstname: "Иван",
        lastname: guest.lastname,
        company: "ООО Ромашка",
        email: guest.email,
        password: {
          role: "guest",
          accessDuration: "3D",
          validFrom: "2030-06-10 09:00:00",
          expiration: "2030-06-12 18:00:00",
        },
      });
      expect(stored?.notes).toMatch(/^Onboarded by axelnac-courier: batch event-day, run /);
      const sms = outbox.filter((entry) => entry.pid === guest.pid);
      expect(sms).toHaveLength(1);
      expect(sms[0]).toMatchObject({ telephone: guest.telephone, passwordIsCurrent: true });
    }
    expect(await counts()).toEqual({
      guests: 30,
      created: 30,
      reset: 0,
      existing: 0,
      refused: 0,
      pending: 0,
    });
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  }, 60_000);

  it("a job of 250 guests with the longest names the appliance keeps: its answer is read whole, every guest created and sent", async () => {
    h = await DeliveryHarness.start();
    const long = "Щ".repeat(255);
    const list = guests(250).map((guest) => ({
      ...guest,
      firstname: long,
      lastname: long,
      company: long,
    }));
    await write([onboardingJob(list)]);
    await h.fleet.start(1);
    await waitForOutbox(250);
    expect(h.sim.outbox()).toHaveLength(250);
    expect(h.sim.outbox().every((sms) => sms.passwordIsCurrent)).toBe(true);
    expect(await counts()).toMatchObject({ guests: 250, created: 250, pending: 0 });
  }, 60_000);

  it("a second run of the same guests creates nobody and sends nothing; with reset_passwords each gets a new password and one SMS", async () => {
    h = await DeliveryHarness.start();
    const list = guests(12);
    await h.fleet.start(1);
    await write([onboardingJob(list)]);
    await waitForOutbox(12);

    await write([onboardingJob(list)]);
    await waitUntil(
      () =>
        h?.fleet.lines().some((line) => line.outcome === "accounts" && line.existing === 12) ??
        false,
      { what: "the second run's 12 existing guests" },
    );
    expect(h.sim.outbox()).toHaveLength(12);
    // The batch counts each guest once, and what it did to the account wins over what it found.
    expect(await counts()).toEqual({
      guests: 12,
      created: 12,
      reset: 0,
      existing: 0,
      refused: 0,
      pending: 0,
    });

    await write([onboardingJob(list, { reset_passwords: true })]);
    await waitForOutbox(24);
    const latest = h.sim.outbox().slice(12);
    expect(latest.every((sms) => sms.passwordIsCurrent)).toBe(true);
    expect(new Set(latest.map((sms) => sms.pid)).size).toBe(12);
    expect(await counts()).toEqual({
      guests: 12,
      created: 0,
      reset: 12,
      existing: 0,
      refused: 0,
      pending: 0,
    });
  }, 60_000);

  it("a guest the appliance refuses fails the job naming its line and the reason; the others are created and get their SMS", async () => {
    h = await DeliveryHarness.start();
    const list = guests(5);
    (list[2] as OnboardedGuest).email = "иван@пример.рф";
    await h.fleet.start(1);
    const [jobId] = await write([onboardingJob(list)]);
    await waitForOutbox(4);

    const job = await h.queue.getJob(jobId as string);
    expect(await job?.getState()).toBe("failed");
    expect(job?.failedReason).toBe(
      `AXELNAC_GUEST_REFUSED: 1 guest refused by the appliance: line 4 (pid ${list[2]?.pid}): email: invalid format`,
    );
    expect(
      h.sim
        .outbox()
        .map((sms) => sms.pid)
        .sort(),
    ).toEqual([0, 1, 3, 4].map((i) => list[i]?.pid).sort());
    expect(await counts()).toMatchObject({ guests: 5, created: 4, refused: 1, pending: 0 });

    // status shows the accounts under the deliveries, in text and in JSON.
    const env = h.workerEnv();
    // The workers write their delivered counts once a second, a moment after the SMS went out.
    await waitUntil(
      async () => {
        const read = await runCli(["status", "--batch", BATCH, "--json"], env);
        return read.code === 0 && JSON.parse(read.stdout).delivered === 4;
      },
      { what: "the 4 deliveries counted" },
    );
    const [text, json] = await Promise.all([
      runCli(["status", "--batch", BATCH], env),
      runCli(["status", "--batch", BATCH, "--json"], env),
    ]);
    expect(text.stdout.split("\n").slice(0, 2)).toEqual([
      expect.stringMatching(
        /^batch event-day +total 4 {2}delivered 4 {2}failed 0 {2}in flight 0 {2}waiting 0 /,
      ),
      expect.stringMatching(
        /^ +accounts: guests 5 {2}created 4 {2}reset 0 {2}existing 0 {2}refused 1 {2}pending 0$/,
      ),
    ]);
    // failed list shows the job, its reason naming the guest by line and pid.
    const failed = await runCli(["failed", "list", "--batch", BATCH], env);
    expect(failed.stdout).toContain(`line 4 (pid ${list[2]?.pid}): email: invalid format`);

    // failed retry sends the job round again: only the refused guest goes back to the appliance,
    // and the guests already created get no second SMS.
    const startedBefore = job?.attemptsStarted ?? 0;
    expect((await runCli(["failed", "retry", "--batch", BATCH], env)).code).toBe(0);
    await waitUntil(
      async () => {
        const again = await h?.queue.getJob(jobId as string);
        return (
          (again?.attemptsStarted ?? 0) > startedBefore && (await again?.getState()) === "failed"
        );
      },
      { what: "the retried job failed again" },
    );
    expect(h.sim.outbox()).toHaveLength(4);
    expect((await h.queue.getJob(jobId as string))?.failedReason).toContain("line 4");
    expect(JSON.parse(json.stdout)).toMatchObject({
      total: 4,
      delivered: 4,
      accounts: { guests: 5, created: 4, reset: 0, existing: 0, refused: 1, pending: 0 },
    });
  }, 60_000);

  it.each([
    ["accounts-answered", "after the appliance saved the guests, before the answer was recorded"],
    ["accounts-recorded", "after the answer was recorded, before any SMS was enqueued"],
  ])(
    "a worker killed (SIGKILL) %s — %s — leaves no guest without a working password, and none with two SMS",
    async (point) => {
      h = await DeliveryHarness.start({ settings: { WORKER_LOCK_DURATION: "1s" } });
      const list = guests(10);
      await write([onboardingJob(list)]);
      const [doomed] = h.fleet.spawn(1, { COURIER_FAILPOINT: point });
      const exit = await doomed?.exited;
      expect(exit?.signal).toBe("SIGKILL");
      expect(h.sim.outbox()).toHaveLength(0);
      expect(list.every((guest) => h?.sim.guest(guest.pid) !== undefined)).toBe(true);

      await h.fleet.start(1);
      await waitForOutbox(10);
      const outbox = h.sim.outbox();
      expect(outbox).toHaveLength(10);
      expect(new Set(outbox.map((sms) => sms.pid)).size).toBe(10);
      expect(outbox.every((sms) => sms.passwordIsCurrent)).toBe(true);
      expect(await counts()).toMatchObject({ guests: 10, created: 10, existing: 0 });
      const recovered = h.fleet.lines().filter((line) => line.outcome === "recovered");
      expect(recovered.length).toBe(point === "accounts-answered" ? 1 : 0);
    },
    60_000,
  );
});
