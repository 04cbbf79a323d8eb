import type { DeliveryRecord } from "../../src/history/delivery-record";
import { recordOfJob } from "../../src/history/record-of-job";
import { OutcomeNotifier } from "../../src/webhooks/outcome-notifier";
import type { WebhookJob } from "../../src/webhooks/webhook-event";
import { captureLog } from "../support/log-sink";

/**
 * The notifier's loop with stand-ins for its two Redis operations (passed in, as graphile/worker
 * tests its loop); the operations themselves run against Redis in outcome-webhooks.test.ts.
 */
function notifierWith(wanting: Record<string, boolean>) {
  const lookups: string[][] = [];
  const queued: WebhookJob[][] = [];
  const state = { failNextEnqueue: false };
  const notifier = new OutcomeNotifier({
    wantsWebhooks: async (keyIds) => {
      lookups.push([...keyIds]);
      return new Map(keyIds.map((id) => [id, wanting[id] ?? false]));
    },
    enqueue: async (jobs) => {
      if (state.failNextEnqueue) {
        state.failNextEnqueue = false;
        throw new Error("Redis is away");
      }
      queued.push([...jobs]);
    },
    logger: captureLog().logger,
    flushIntervalMs: 3_600_000, // flushed by the test
  });
  return { notifier, lookups, queued, state };
}

const finished = (
  n: number,
  submittedBy?: string,
  outcome: "delivered" | "failed" = "delivered",
): DeliveryRecord =>
  recordOfJob(
    {
      id: `job-${n}`,
      data: {
        pid: `guest-${n}`,
        password: "Guest-Pa55",
        source_id: "sms",
        submitted_by: submittedBy,
      },
      timestamp: Date.now(),
      finishedOn: Date.now(),
      failedReason: outcome === "failed" ? "AXELNAC_GUEST_NOT_FOUND: no such user" : "",
      progress: 0,
    },
    outcome === "delivered"
      ? { outcome, result: { status: 200, message: "SMS sent", attempts: 1 } }
      : { outcome },
  );

describe("the outcome notifier", () => {
  it("queues the events of many deliveries of a key with one look-up and one enqueue per flush", async () => {
    const { notifier, lookups, queued } = notifierWith({ key1: true });
    for (let n = 0; n < 100; n++) notifier.finished(finished(n, "key1"));
    await notifier.flush();
    expect(lookups).toEqual([["key1"]]);
    expect(queued).toHaveLength(1);
    expect(queued[0]?.map((job) => job.event.data.pid)).toEqual(
      Array.from({ length: 100 }, (_, n) => `guest-${n}`),
    );
    expect(JSON.stringify(queued)).not.toContain("Guest-Pa55");

    // Remembered: the next flush asks nothing.
    notifier.finished(finished(100, "key1", "failed"));
    await notifier.flush();
    expect(lookups).toHaveLength(1);
    expect(queued[1]?.[0]?.event.type).toBe("delivery.failed");
    await notifier.close();
  });

  it("does nothing for a job without submitted_by, and queues nothing for a key without a webhook", async () => {
    const { notifier, lookups, queued } = notifierWith({ key1: true });
    notifier.finished(finished(1));
    notifier.finished(finished(2, undefined, "failed"));
    await notifier.flush();
    expect(lookups).toEqual([]);

    notifier.finished(finished(3, "no-hook"));
    await notifier.flush();
    notifier.finished(finished(4, "no-hook"));
    await notifier.flush();
    expect(lookups).toEqual([["no-hook"]]);
    expect(queued).toEqual([]);
    await notifier.close();
  });

  it("keeps the events Redis refused, in order, for the next flush; close flushes", async () => {
    const { notifier, queued, state } = notifierWith({ key1: true });
    notifier.finished(finished(1, "key1"));
    state.failNextEnqueue = true;
    await notifier.flush();
    expect(queued).toEqual([]);
    notifier.finished(finished(2, "key1"));
    await notifier.close();
    expect(queued.flat().map((job) => job.event.data.jobId)).toEqual(["job-1", "job-2"]);
  });
});
