/**
 * Onboarded guests' passwords at rest: the appliance's (recorded in the onboarding job before
 * their SMS is enqueued) and the courier's own (`--password-length`, in the job from the start)
 * are sealed in Redis and its append-only file when a key ring is set. The passwords are known
 * only to the appliance and the SMS, so the test looks for them by the simulator's fingerprint:
 * every run of letters and digits in the dump is fingerprinted and compared with the passwords
 * the simulator holds.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import type { Simulator } from "../../src/simulator";
import { runCli } from "../support/cli";
import { DeliveryHarness } from "../support/delivery-harness";
import { appendOnlyFiles, dumpEverything } from "../support/redis-dump";
import { registrationExport } from "../support/registrations";
import { waitUntil } from "../support/wait";

const RING_TEXT = `k1:${Buffer.alloc(32, 47).toString("base64")}`;
const FLAGS = [
  "--role",
  "guest",
  "--access-duration",
  "1D",
  "--appliance-time-zone",
  "UTC",
  "--phone-region",
  "RU",
  "--source-id",
  "sms",
];

/** The runs of letters and digits in `text` that are a password the simulator holds for a guest. */
function passwordsIn(text: string, sim: Simulator, fingerprints: ReadonlySet<string>): string[] {
  const runs = new Set(text.match(/[A-Za-z0-9]{4,64}/g) ?? []);
  return [...runs].filter((run) => fingerprints.has(sim.fingerprint(run)));
}

describe("secrets at rest: onboarded guests' passwords with a key ring set", () => {
  let redis: PrivateRedis | undefined;
  let h: DeliveryHarness | undefined;

  afterEach(async () => {
    await h?.fleet.killAll();
    await h?.close();
    await redis?.destroy();
  });

  it("never reach Redis or its append-only file in plaintext, made by the appliance or by the courier, recorded or waiting", async () => {
    redis = await startPrivateRedis({ appendOnly: true });
    h = await DeliveryHarness.start({
      privateRedisUrl: redis.url,
      settings: {
        JOB_ENCRYPTION_KEYS: RING_TEXT,
        JOB_ENCRYPTION_REQUIRED: "true",
        WORKER_LOCK_DURATION: "1s",
      },
    });
    const harness = h;
    const env = h.workerEnv();
    const byAppliance = registrationExport(20, 30_000, { badRows: false });
    const byCourier = registrationExport(20, 40_000, { badRows: false });
    writeFileSync(join(redis.dir, "appliance.csv"), byAppliance.csv);
    writeFileSync(join(redis.dir, "courier.csv"), byCourier.csv);
    const onboard = (file: string, ...more: string[]) =>
      runCli(["onboard", join(redis?.dir as string, file), ...FLAGS, ...more], env);
    expect((await onboard("appliance.csv", "--batch", "by-appliance")).code).toBe(0);
    expect(
      (await onboard("courier.csv", "--batch", "by-courier", "--password-length", "12")).code,
    ).toBe(0);

    // A worker that dies once the answers are recorded leaves them in the jobs, for a look.
    const [doomed] = h.fleet.spawn(1, { COURIER_FAILPOINT: "accounts-recorded" });
    await doomed?.exited;
    const pids = [...byAppliance.e164.values(), ...byCourier.e164.values()].map((e164) =>
      e164.slice(1),
    );
    const stored = () =>
      new Set(pids.flatMap((pid) => harness.sim.guest(pid)?.password?.fingerprint ?? []));
    await waitUntil(() => stored().size >= 20, { what: "a first job's guests created" });
    const recorded = await dumpEverything(h.redis);
    expect(recorded).toContain("enc:v1:k1:");
    expect(passwordsIn(recorded, h.sim, stored())).toEqual([]);

    await h.fleet.start(1);
    await waitUntil(() => harness.sim.outbox().length >= 40, { what: "40 SMS" });
    const fingerprints = stored();
    expect(fingerprints.size).toBe(40);
    expect(h.sim.outbox().every((sms) => sms.passwordIsCurrent)).toBe(true);
    expect(passwordsIn(await dumpEverything(h.redis), h.sim, fingerprints)).toEqual([]);
    const aof = appendOnlyFiles(redis.dir);
    expect(aof).toContain("create-guest-accounts");
    expect(passwordsIn(aof, h.sim, fingerprints)).toEqual([]);

    // The search itself finds a password that is there.
    const [somePid] = pids;
    const known = "Zq7kWm4pXr2s";
    expect(
      passwordsIn(`{"password":"${known}"}`, h.sim, new Set([h.sim.fingerprint(known)])),
    ).toEqual([known]);
    expect(somePid).toBeDefined();
  }, 90_000);
});
