import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type PrivateRedis, startPrivateRedis } from "../../src/redis/private-server";
import { deriveSecret, KeyRing, open } from "../../src/secrets";
import { tokenAad } from "../../src/token/token-sealing";
import { runCli } from "../support/cli";
import {
  deliveryReport,
  type GuestJob,
  guestJobs,
  guestPassword,
  waitForAllDelivered,
} from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { appendOnlyFiles, dumpEverything } from "../support/redis-dump";
import { waitUntil } from "../support/wait";

const RING_TEXT = `k1:${Buffer.alloc(32, 31).toString("base64")}`;
const RING = KeyRing.parse(RING_TEXT);

function expectNoneOf(text: string, secrets: Record<string, string>, where: string): void {
  const found = Object.entries(secrets)
    .filter(([, secret]) => text.includes(secret))
    .map(([name]) => name);
  expect({ where, found }).toEqual({ where, found: [] });
}

describe("secrets at rest: a copy of Redis with a key ring set", () => {
  let redis: PrivateRedis | undefined;
  let h: DeliveryHarness | undefined;

  afterEach(async () => {
    await h?.close();
    await redis?.destroy();
  });

  it("holds no guest password, API password, token or duplicate-key secret, in its keys nor its AOF", async () => {
    redis = await startPrivateRedis({ appendOnly: true });
    const delivered = guestJobs(30, "at-rest");
    const scheduled = { pid: "at-rest-later", password: guestPassword(), source_id: "sms" };
    const ghost = { pid: "at-rest-ghost", password: guestPassword(), source_id: "sms" };
    const known = [...delivered, scheduled];
    h = await DeliveryHarness.start({
      privateRedisUrl: redis.url,
      simulator: { guests: new Map(known.map((g) => [g.pid, "+79990000000"])) },
      settings: { JOB_ENCRYPTION_KEYS: RING_TEXT },
    });
    const harness = h;
    const env = h.workerEnv();
    const enqueue = (job: GuestJob, ...flags: string[]) =>
      runCli(
        ["enqueue", "--pid", job.pid, "--source-id", job.source_id, ...flags],
        env,
        job.password,
      );

    // Through every producer of the courier: import, enqueue, a scheduled enqueue.
    const csv = join(redis.dir, "registrations.csv");
    writeFileSync(
      csv,
      `pid,password\n${delivered.map((g) => `${g.pid},${g.password}`).join("\n")}\n`,
    );
    expect((await runCli(["import", csv, "--source-id", "sms"], env)).code).toBe(0);
    expect((await enqueue(ghost)).code).toBe(0);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    expect((await enqueue(scheduled, "--send-at", later)).code).toBe(0);

    const secrets: Record<string, string> = {
      "the API password": h.apiPassword,
      "the duplicate-key secret": deriveSecret(RING, "duplicate-key v1"),
    };
    for (const guest of [...known, ghost]) secrets[`${guest.pid}'s password`] = guest.password;

    const waiting = await dumpEverything(h.redis);
    expect(waiting).toContain("enc:v1:k1:");
    expectNoneOf(waiting, secrets, "jobs waiting and scheduled");

    await h.fleet.start(2);
    await waitUntil(() => deliveryReport(harness.sim, delivered).missing.length === 0, {
      what: "the imported guests' SMS",
    });
    await waitUntil(async () => (await harness.queue.getFailedCount()) === 1, {
      what: "the ghost's failure",
    });
    const tokenKey = (await h.redis.keys(`${h.keyPrefix}:*:token`))[0] as string;
    const sealedToken = (await h.redis.hget(tokenKey, "token")) as string;
    const token = open(RING, sealedToken, tokenAad(tokenKey));
    if (!token.ok) throw new Error(`the stored token does not open: ${JSON.stringify(token)}`);
    expect(token.text).toMatch(/^[0-9a-f]{64}$/);
    secrets["the API token"] = token.text;

    const running = await dumpEverything(h.redis);
    expect(await h.queue.getDelayedCount()).toBe(1);
    expectNoneOf(running, secrets, "one job failed, one scheduled, the rest delivered");

    await h.queue.promoteJobs();
    await waitForAllDelivered(h.sim, h.queue, known, 20_000);
    expectNoneOf(await dumpEverything(h.redis), secrets, "after every delivery");
    expectNoneOf(appendOnlyFiles(redis.dir), secrets, "the append-only file");
    expect(appendOnlyFiles(redis.dir)).toContain("enc:v1:k1:");
    expect(await h.redis.exists(`${h.keyPrefix}:duplicate-key-secret`)).toBe(0);
  });
});
