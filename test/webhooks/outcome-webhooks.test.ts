import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { KeyRing } from "../../src/secrets";
import { verifyWebhookSignature } from "../../src/webhooks/webhook-signature";
import { expectCleanLogs, guestPassword, waitForAllDelivered } from "../support/deliveries";
import { DeliveryHarness } from "../support/delivery-harness";
import { expectNoSecrets } from "../support/log-sink";
import { dumpEverything } from "../support/redis-dump";
import { startBlackHole } from "../support/stand-ins";
import { waitUntil } from "../support/wait";
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
  writeApiKeyRecord,
} from "./webhook-fixtures";

/** Fast retries, so that a receiver that recovers is reached within the test. */
const FAST_WEBHOOKS = {
  WEBHOOK_ATTEMPTS: "40",
  WEBHOOK_BACKOFF: "100ms",
  WEBHOOK_BACKOFF_MAX: "400ms",
};

interface TestJob {
  pid: string;
  password: string;
  source_id: string;
  submitted_by?: string;
}

const job = (pid: string, submittedBy?: string): TestJob => ({
  pid,
  password: guestPassword(),
  source_id: "sms",
  ...(submittedBy ? { submitted_by: submittedBy } : {}),
});

const webhookSecret = () => `whsec-${randomBytes(12).toString("hex")}`;
/** A token in the webhook's query string, as receivers often ask: it must not reach a log. */
const urlToken = () => `tok-${randomBytes(8).toString("hex")}`;

describe("outcome webhooks, from a real worker to a local receiver", () => {
  let h: DeliveryHarness | undefined;
  let receiver: WebhookReceiver | undefined;
  let webhooks: Queue | undefined;

  afterEach(async () => {
    await h?.fleet.killAll();
    await receiver?.close();
    await webhooks?.close();
    await h?.close();
    h = undefined;
    receiver = undefined;
    webhooks = undefined;
  });

  /** The worker's webhooks queue, to see what is left in it. */
  const webhookQueue = (harness: DeliveryHarness) => {
    webhooks = new Queue(`${harness.queueName}-webhooks`, { connection: harness.redis });
    return webhooks;
  };

  const unfinished = async (queue: Queue) => {
    const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized");
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  };

  const expectSigned = (received: readonly ReceivedWebhook[], secret: string) => {
    for (const r of received) {
      // Checked later than sent, so with a generous tolerance; the timestamp is still signed.
      const check = verifyWebhookSignature(secret, r.signature, r.rawBody, 600);
      expect({ id: r.event.id, check }).toEqual({
        id: r.event.id,
        check: expect.objectContaining({ ok: true }),
      });
      expect(r.eventIdHeader).toBe(r.event.id);
    }
  };

  it("reach a receiver that fails then recovers: every event once it answers 2xx, each signed, none with a password; jobs without submitted_by send nothing", async () => {
    const known = Array.from({ length: 6 }, (_, n) => job(`hooked-${n}`, "key1"));
    const ghost = job("ghost-guest", "key1");
    const unsubmitted = [job("plain-0"), job("plain-1")];
    const otherKey = job("other-key-guest", "key2");
    const last = job("hooked-last", "key1");
    h = await DeliveryHarness.start({
      simulator: {
        guests: new Map(
          [...known, ...unsubmitted, otherKey, last].map((g) => [g.pid, "+79990000000"] as const),
        ),
      },
      settings: FAST_WEBHOOKS,
    });
    const secret = webhookSecret();
    const token = urlToken();
    receiver = await startWebhookReceiver((n) => (n < 5 ? 500 : 200));
    await writeApiKeyRecord(h.redis, h.keyPrefix, h.queueName, {
      id: "key1",
      webhookUrl: `${receiver.url}/hooks/courier?token=${token}`,
      webhookSecret: secret,
    });
    await writeApiKeyRecord(h.redis, h.keyPrefix, h.queueName, { id: "key2" });
    const all = [...known, ghost, ...unsubmitted, otherKey];
    const added = await h.queue.addBulk(all.map((data) => ({ name: "deliver", data })));
    const jobIdOf = new Map(all.map((g, i) => [g.pid, added[i]?.id]));
    await h.fleet.start(1);

    const r = receiver;
    await waitUntil(() => r.acceptedCounts().size >= 7, {
      timeoutMs: 45_000,
      what: "7 events accepted",
      describe: () => r.received.map((x) => [x.answered, x.event.data.pid]),
    });
    // A last job of the key's, once everything else has finished: its event is queued after any
    // the others could have made, so once it is in and the queue is empty, nothing else is coming.
    await waitForAllDelivered(h.sim, h.queue, [...known, ...unsubmitted, otherKey], 30_000);
    jobIdOf.set(last.pid, (await h.queue.add("deliver", last)).id);
    const queue = webhookQueue(h);
    await waitUntil(
      async () =>
        r.received.some((x) => x.event.data.pid === last.pid) && (await unfinished(queue)) === 0,
      { timeoutMs: 30_000, what: "the last event, and an empty webhooks queue" },
    );

    const accepted = r.acceptedCounts();
    const acceptedPids = r.received
      .filter((x) => x.answered === 200)
      .map((x) => x.event.data.pid)
      .sort();
    expect(acceptedPids).toEqual([...known.map((g) => g.pid), ghost.pid, last.pid].sort());
    // Exactly once after recovery: no event answered 2xx is sent again.
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    // The first five were refused and retried under the same id.
    expect(r.received.slice(0, 5).map((x) => x.answered)).toEqual([500, 500, 500, 500, 500]);
    for (const refused of r.received.slice(0, 5)) expect(accepted.get(refused.event.id)).toBe(1);

    expectSigned(r.received, secret);
    expect(r.received.every((x) => x.path === `/hooks/courier?token=${token}`)).toBe(true);
    for (const x of r.received) {
      expect(x.rawBody).not.toMatch(/password|guestpw-/);
      expect(x.event.data.submittedBy).toBe("key1");
      expect(x.event.data.jobId).toBe(jobIdOf.get(x.event.data.pid));
    }
    const byPid = new Map(r.received.map((x) => [x.event.data.pid, x.event]));
    expect(byPid.get("hooked-0")).toMatchObject({
      type: "delivery.delivered",
      data: { outcome: "delivered", attempts: 1, applianceStatus: 200 },
    });
    expect(byPid.get(ghost.pid)).toMatchObject({
      type: "delivery.failed",
      data: { outcome: "failed", code: "AXELNAC_GUEST_NOT_FOUND", jobId: jobIdOf.get(ghost.pid) },
    });

    const logs = h.fleet.output();
    expectCleanLogs(logs, [h.apiPassword]);
    expectNoSecrets(logs, [secret, token]);
    const retries = h.fleet.lines().filter((l) => l.msg?.startsWith("webhook attempt"));
    expect(retries.length).toBeGreaterThanOrEqual(5);
    expect(retries.every((l) => l.code === "WEBHOOK_REFUSED" && l.status === 500)).toBe(true);
  });

  it("sign with a webhook secret sealed under the key ring, which Redis never holds in plaintext", async () => {
    const ring = `hooks:${randomBytes(32).toString("base64")}`;
    h = await DeliveryHarness.start({ settings: { ...FAST_WEBHOOKS, JOB_ENCRYPTION_KEYS: ring } });
    const secret = webhookSecret();
    receiver = await startWebhookReceiver(200);
    const recordKey = await writeApiKeyRecord(h.redis, h.keyPrefix, h.queueName, {
      id: "sealed-key",
      webhookUrl: `${receiver.url}/hook`,
      webhookSecret: secret,
      ring: KeyRing.parse(ring),
    });
    expect(await h.redis.hget(recordKey, "webhookSecret")).toMatch(/^enc:v1:hooks:/);
    const guests = [job("sealed-0", "sealed-key"), job("sealed-1", "sealed-key")];
    await h.queue.addBulk(guests.map((data) => ({ name: "deliver", data })));
    await h.fleet.start(1);

    const r = receiver;
    await waitUntil(() => r.acceptedCounts().size === 2, { timeoutMs: 30_000, what: "2 events" });
    expectSigned(r.received, secret);
    expect(
      verifyWebhookSignature(
        "another-secret",
        r.received[0]?.signature,
        r.received[0]?.rawBody ?? "",
        600,
      ).ok,
    ).toBe(false);
    expectNoSecrets(await dumpEverything(h.redis), [secret]);
    expectNoSecrets(h.fleet.output(), [secret]);
  });

  it("give up after WEBHOOK_ATTEMPTS, logging the code and status at warn, and keep the failed job", async () => {
    h = await DeliveryHarness.start({ settings: { ...FAST_WEBHOOKS, WEBHOOK_ATTEMPTS: "3" } });
    const secret = webhookSecret();
    const token = urlToken();
    receiver = await startWebhookReceiver(503);
    await writeApiKeyRecord(h.redis, h.keyPrefix, h.queueName, {
      id: "key1",
      webhookUrl: `${receiver.url}/hook?token=${token}`,
      webhookSecret: secret,
    });
    await h.queue.add("deliver", job("given-up", "key1"));
    const [worker] = await h.fleet.start(1);

    const warned = await worker?.waitForLog(
      (l) => l.level === 40 && l.msg?.startsWith("webhook event not delivered") === true,
      30_000,
    );
    expect(warned).toMatchObject({
      code: "WEBHOOK_REFUSED",
      status: 503,
      attempt: 3,
      outcome: "failed",
      webhook: receiver.url,
      msg: "webhook event not delivered, given up after 3 attempts: WEBHOOK_REFUSED: the receiver answered 503",
    });
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((x) => x.event.id)).size).toBe(1);
    const queue = webhookQueue(h);
    const [failed] = await queue.getFailed();
    expect(failed?.failedReason).toBe("WEBHOOK_REFUSED: the receiver answered 503");
    expect(failed?.data.event.id).toBe(receiver.received[0]?.event.id);
    expectNoSecrets(h.fleet.output(), [secret, token]);
  });

  it("drop an event, with a log line, once its key is revoked", async () => {
    h = await DeliveryHarness.start({ settings: FAST_WEBHOOKS });
    receiver = await startWebhookReceiver(500);
    const recordKey = await writeApiKeyRecord(h.redis, h.keyPrefix, h.queueName, {
      id: "key1",
      webhookUrl: `${receiver.url}/hook`,
      webhookSecret: webhookSecret(),
    });
    await h.queue.add("deliver", job("revoked-later", "key1"));
    const [worker] = await h.fleet.start(1);
    const r = receiver;
    await waitUntil(() => r.received.length >= 1, { timeoutMs: 30_000, what: "a first POST" });
    await h.redis.hset(recordKey, "revokedAt", String(Date.now()));

    const dropped = await worker?.waitForLog((l) => l.outcome === "dropped", 30_000);
    expect(dropped).toMatchObject({
      level: 30,
      keyId: "key1",
      eventId: r.received[0]?.event.id,
      msg: "webhook event dropped: its API key was revoked",
    });
    const sent = r.received.length;
    const queue = webhookQueue(h);
    await waitUntil(async () => (await unfinished(queue)) === 0, {
      what: "an empty webhooks queue",
    });
    expect(await queue.getFailedCount()).toBe(0);
    expect(r.received).toHaveLength(sent);
  });

  it("let a stopping worker's POST to a receiver that hangs time out, and the next worker send the event to the key's new URL", async () => {
    h = await DeliveryHarness.start({ settings: FAST_WEBHOOKS });
    const hang = await startBlackHole();
    const secret = webhookSecret();
    try {
      const recordKey = await writeApiKeyRecord(h.redis, h.keyPrefix, h.queueName, {
        id: "key1",
        webhookUrl: `${hang.url}/hook`,
        webhookSecret: secret,
      });
      await h.queue.add("deliver", job("hung-receiver", "key1"));
      const [first] = await h.fleet.start(1);
      const queue = webhookQueue(h);
      await waitUntil(async () => (await queue.getActiveCount()) === 1, {
        timeoutMs: 30_000,
        what: "a POST in flight",
      });
      expect(await first?.stop("SIGTERM", 30_000)).toBe(0);
      expect(
        first?.lines().find((l) => l.msg?.startsWith("webhook attempt 1 failed")),
      ).toMatchObject({ code: "WEBHOOK_TIMEOUT", outcome: "retry" });

      receiver = await startWebhookReceiver(200);
      await h.redis.hset(recordKey, "webhookUrl", `${receiver.url}/new-hook`);
      await h.fleet.start(1);
      const r = receiver;
      await waitUntil(() => r.acceptedCounts().size === 1, {
        timeoutMs: 30_000,
        what: "the event",
      });
      expect(r.received).toHaveLength(1);
      expect(r.received[0]?.path).toBe("/new-hook");
      expectSigned(r.received, secret);
    } finally {
      await hang.close();
    }
  });
});
