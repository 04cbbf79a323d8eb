/**
 * Onboarding when things go wrong while accounts are being created: the appliance goes away, a
 * worker is killed outright, the API account lacks the role to create users. Nobody is lost:
 * every guest ends with an account and exactly one SMS carrying the password the appliance holds.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAccountCounts } from "../../src/batches/account-counts";
import { batchKeys } from "../../src/batches/batch-keys";
import { runCli } from "../support/cli";
import { DeliveryHarness } from "../support/delivery-harness";
import { registrationExport } from "../support/registrations";
import { waitUntil } from "../support/wait";

const FLAGS = [
  "--role",
  "guest",
  "--access-duration",
  "3D",
  "--appliance-time-zone",
  "Europe/Moscow",
  "--phone-region",
  "RU",
  "--source-id",
  "sms",
  "--batch",
  "expo",
];
const GUESTS = 300;
const ORGANISER = { username: "organiser", password: "organiser-pw-58" };

/** The states of a job that may still send an SMS. */
const UNFINISHED = ["active", "waiting", "prioritized", "delayed", "waiting-children"] as const;

function unfinished(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** How many different guests have an SMS in the simulator's outbox. */
function guestsSent(harness: DeliveryHarness): number {
  return new Set(harness.sim.outbox().map((sms) => sms.pid)).size;
}

describe("onboard: failures while accounts are being created lose nobody", () => {
  let h: DeliveryHarness | undefined;
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "onboard-failures-"));
  });
  afterEach(async () => {
    await h?.fleet.killAll();
    await h?.close();
    h = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** 300 good registrations onboarded into batch "expo"; resolves once the command has queued them. */
  async function onboard(settings: Record<string, string> = {}) {
    const harness = h as DeliveryHarness;
    const file = join(dir, "expo.csv");
    writeFileSync(file, registrationExport(GUESTS, 10_000, { badRows: false }).csv);
    const result = await runCli(["onboard", file, ...FLAGS], harness.workerEnv(settings));
    return result;
  }

  /**
   * Every guest in the outbox with the password the appliance holds, no job failed. `resent`: an
   * SMS the appliance accepted from a worker killed before it could record it goes out again
   * (README, "What the worker does with each outcome"), with the same password: at most one per delivery in flight.
   */
  async function expectEveryoneOnce(resent = 0) {
    const harness = h as DeliveryHarness;
    // Guests, not SMS: a killed worker's deliveries sent again count twice in the outbox, so it
    // can hold 300 SMS while a guest's own is still on its way.
    await waitUntil(() => guestsSent(harness) === GUESTS, {
      timeoutMs: 60_000,
      what: `an SMS for each of the ${GUESTS} guests`,
      describe: async () => ({
        guestsSent: guestsSent(harness),
        jobs: await harness.queue.getJobCounts(...UNFINISHED),
        log: harness.fleet.output().slice(-3_000),
      }),
    });
    // Then nothing left to run, so that every SMS sent again is in the outbox before it is
    // counted. Active jobs count: a dead worker's stay active until their lock runs out, then wait
    // and go out again (queue.count() leaves active jobs out).
    await waitUntil(async () => unfinished(await harness.queue.getJobCounts(...UNFINISHED)) === 0, {
      timeoutMs: 30_000,
      what: "no job left waiting, delayed or active",
      describe: () => harness.queue.getJobCounts(...UNFINISHED),
    });
    const outbox = harness.sim.outbox();
    expect(outbox.length - GUESTS).toBeLessThanOrEqual(resent);
    expect(new Set(outbox.map((sms) => sms.pid)).size).toBe(GUESTS);
    expect(outbox.filter((sms) => !sms.passwordIsCurrent)).toEqual([]);
    // A guest sent twice got the same password twice.
    const passwords = new Map<string, Set<string>>();
    for (const sms of outbox) {
      passwords.set(sms.pid, (passwords.get(sms.pid) ?? new Set()).add(sms.passwordFingerprint));
    }
    expect([...passwords.values()].filter((set) => set.size > 1)).toEqual([]);
    expect((await harness.queue.getJobCounts("failed")).failed).toBe(0);
    const counts = await readAccountCounts(
      harness.redis,
      batchKeys(harness.keyPrefix, harness.queueName),
      "expo",
    );
    expect(counts).toMatchObject({ guests: GUESTS, created: GUESTS, pending: 0, refused: 0 });
  }

  it("the appliance goes away mid-batch: the fleet pauses, then creates and sends the rest", async () => {
    h = await DeliveryHarness.start();
    h.sim.setFaults({ bulkImportItemMs: 5 });
    await h.fleet.start(2);
    expect((await onboard()).code).toBe(0);
    await waitUntil(() => (h?.sim.outbox().length ?? 0) >= 30, { what: "30 SMS" });
    await h.sim.goDown(2_000);
    await expectEveryoneOnce();
  }, 120_000);

  it("a worker killed (SIGKILL) mid-batch: its jobs go to the other workers, nobody is lost, nobody gets two passwords", async () => {
    h = await DeliveryHarness.start({ settings: { WORKER_LOCK_DURATION: "1s" } });
    h.sim.setFaults({ bulkImportItemMs: 10 });
    const [doomed] = await h.fleet.start(2);
    expect((await onboard({ ONBOARD_GUESTS_PER_JOB: "10" })).code).toBe(0);
    await waitUntil(() => (h?.sim.outbox().length ?? 0) >= 20, { what: "20 SMS" });
    await doomed?.kill();
    await h.fleet.start(1);
    // At most AXELNAC_MAX_IN_FLIGHT (8) jobs were in flight fleet-wide when it died.
    await expectEveryoneOnce(8);
  }, 120_000);

  it("an API account without the role to create users: the fleet pauses (AXELNAC_ACCESS_DENIED), nothing fails, and once the role is granted everyone is onboarded", async () => {
    h = await DeliveryHarness.start({
      simulator: { accounts: [{ ...ORGANISER, adminActions: ["SYSTEM_CREATE", "USERS_READ"] }] },
    });
    const account = { AXELNAC_USERNAME: ORGANISER.username, AXELNAC_PASSWORD: ORGANISER.password };
    await h.fleet.start(1, account);
    expect((await onboard()).code).toBe(0);
    const pause = await h.waitForPause(15_000);
    expect(pause).toMatchObject({ code: "AXELNAC_ACCESS_DENIED" });
    expect(h.sim.outbox()).toHaveLength(0);
    expect((await h.queue.getJobCounts("failed")).failed).toBe(0);

    h.sim.setAccount({
      ...ORGANISER,
      adminActions: ["SYSTEM_CREATE", "USERS_READ", "USERS_CREATE"],
    });
    await expectEveryoneOnce();
  }, 120_000);
});
