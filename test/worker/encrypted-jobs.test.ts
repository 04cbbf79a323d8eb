import { sealJobPassword } from "../../src/jobs/job-password";
import { KeyRing } from "../../src/secrets";
import {
  deliveryReport,
  expectCleanLogs,
  type GuestJob,
  guestJobs,
  waitForAllDelivered,
} from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { sleep, waitUntil } from "../support/wait";

const NEW_ENTRY = `new:${Buffer.alloc(32, 11).toString("base64")}`;
const OLD_ENTRY = `old:${Buffer.alloc(32, 12).toString("base64")}`;
const NEW = KeyRing.parse(NEW_ENTRY);
const OLD = KeyRing.parse(OLD_ENTRY);
const ELSEWHERE = KeyRing.parse(`elsewhere:${Buffer.alloc(32, 13).toString("base64")}`);

function sealed(jobs: GuestJob[], ring: KeyRing): GuestJob[] {
  return jobs.map((job) => sealJobPassword(job, ring));
}

describe("worker: sealed passwords", () => {
  let h: DeliveryHarness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("delivers each guest's own password, sealed under the active key, an older one, or not at all", async () => {
    h = await DeliveryHarness.start({
      settings: { JOB_ENCRYPTION_KEYS: `${NEW_ENTRY},${OLD_ENTRY}` },
    });
    const underNew = guestJobs(20, "new-key");
    const underOld = guestJobs(20, "old-key");
    const plaintext = guestJobs(5, "plaintext");
    const [worker] = await h.fleet.start(1);
    await h.enqueue([...sealed(underNew, NEW), ...sealed(underOld, OLD), ...plaintext]);

    const all = [...underNew, ...underOld, ...plaintext];
    await waitForAllDelivered(h.sim, h.queue, all, 20_000);
    expect(deliveryReport(h.sim, all)).toMatchObject({
      sent: 45,
      duplicates: 0,
      missing: [],
      wrongPassword: [],
    });
    const started = worker?.lines().find((l) => l.msg === "delivery worker started");
    expect(started?.encryptionKey).toBe("new");
    expect(worker?.lines().some((l) => /stored in plaintext/.test(String(l.msg)))).toBe(false);
    expectCleanLogs(h.fleet.output(), [h.apiPassword]);
  });

  it("fails a tampered ciphertext, or one moved to another guest, at once and sends nothing", async () => {
    h = await DeliveryHarness.start({ settings: { JOB_ENCRYPTION_KEYS: NEW_ENTRY } });
    const [victim, other] = sealed(guestJobs(2, "moved"), NEW) as [GuestJob, GuestJob];
    const password = victim.password;
    const flipped = `${password.slice(0, -3)}${password.at(-3) === "A" ? "B" : "A"}${password.slice(-2)}`;
    await h.queue.add("x", { ...victim, pid: "tampered", password: flipped });
    await h.queue.add("x", { ...other, password: victim.password });
    await h.fleet.start(1);

    await waitUntil(async () => (await h?.queue.getFailedCount()) === 2, { what: "2 failed jobs" });
    const reasons = (await h.queue.getFailed()).map((job) => job.failedReason);
    expect(reasons).toEqual([
      "COURIER_CIPHERTEXT_INVALID: password: does not authenticate (altered, or copied from another record)",
      "COURIER_CIPHERTEXT_INVALID: password: does not authenticate (altered, or copied from another record)",
    ]);
    expect(h.sim.outbox()).toHaveLength(0);
    expect(h.sim.stats().sendRequests).toBe(0);
  });

  it("keeps a job sealed under a key it lacks waiting, says so once, and a worker with the key delivers it", async () => {
    h = await DeliveryHarness.start({ settings: { JOB_ENCRYPTION_KEYS: NEW_ENTRY } });
    const jobs = guestJobs(3, "elsewhere");
    await h.enqueue(sealed(jobs, ELSEWHERE));
    const [lacking] = await h.fleet.start(1);

    const missingLines = () =>
      lacking?.lines().filter((l) => l.code === "COURIER_ENCRYPTION_KEY_MISSING") ?? [];
    await waitUntil(async () => (await h?.queue.getDelayedCount()) === 3, {
      what: "the 3 jobs set aside",
    });
    // The worker's log reaches the test through a pipe, a moment after Redis has the jobs.
    await waitUntil(() => missingLines().length > 0, { what: "the missing key said" });
    await sleep(300); // a second line, were one to come, would come as soon
    const missing = missingLines();
    expect(missing).toHaveLength(1);
    expect(missing?.[0]).toMatchObject({ level: 50, keyId: "elsewhere", outcome: "waiting" });
    expect(String(missing?.[0]?.msg)).toContain(
      "COURIER_ENCRYPTION_KEY_MISSING: a job's password is sealed under key elsewhere, which this worker's JOB_ENCRYPTION_KEYS lacks",
    );
    expect(await h.queue.getFailedCount()).toBe(0);
    expect(h.sim.outbox()).toHaveLength(0);

    await h.fleet.killAll();
    const ring = `${NEW_ENTRY},elsewhere:${Buffer.alloc(32, 13).toString("base64")}`;
    await h.fleet.start(1, { JOB_ENCRYPTION_KEYS: ring });
    // The jobs wait 30 s before a worker looks again; the test does not.
    await h.queue.promoteJobs();
    await waitForAllDelivered(h.sim, h.queue, jobs, 20_000);
    expect(deliveryReport(h.sim, jobs)).toMatchObject({ sent: 3, wrongPassword: [] });
  });

  it("under JOB_ENCRYPTION_REQUIRED fails a plaintext job at once and delivers sealed ones", async () => {
    h = await DeliveryHarness.start({
      settings: { JOB_ENCRYPTION_KEYS: NEW_ENTRY, JOB_ENCRYPTION_REQUIRED: "true" },
    });
    const [plain, secret] = guestJobs(2, "required") as [GuestJob, GuestJob];
    await h.queue.add("x", plain);
    await h.queue.add("x", sealJobPassword(secret, NEW));
    await h.fleet.start(1);

    await waitForAllDelivered(h.sim, h.queue, [secret], 20_000);
    await waitUntil(async () => (await h?.queue.getFailedCount()) === 1, { what: "1 failed job" });
    const [failed] = await h.queue.getFailed();
    expect(failed?.data.pid).toBe(plain.pid);
    expect(failed?.failedReason).toBe(
      "COURIER_PLAINTEXT_REFUSED: the password is in plaintext and JOB_ENCRYPTION_REQUIRED is set",
    );
    expect(h.sim.outbox().map((sms) => sms.pid)).toEqual([secret.pid]);
  });

  it("without a key ring, warns once at start that secrets are stored in plaintext", async () => {
    h = await DeliveryHarness.start();
    const [worker] = await h.fleet.start(1);
    await worker?.waitForLog((l) => l.msg === "delivery worker started");
    const warnings = worker?.lines().filter((l) => l.setting === "JOB_ENCRYPTION_KEYS") ?? [];
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40 });
    expect(String(warnings[0]?.msg)).toMatch(
      /guest passwords and the API token are stored in plaintext/,
    );
  });
});
