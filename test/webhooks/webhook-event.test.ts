import { deliveryRecordSchema } from "../../src/history/delivery-record";
import { type FinishedJob, recordOfJob } from "../../src/history/record-of-job";
import { outcomeEvent } from "../../src/webhooks/webhook-event";

const PASSWORD = "Guest-Pa55-secret";
const SEALED = "enc:v1:k1:c2VhbGVkLXBhc3N3b3JkLWJ5dGVz";
const ENQUEUED = Date.parse("2026-01-01T10:00:00.000Z");
const FINISHED = Date.parse("2026-01-01T10:00:02.500Z");

const job = (data: unknown, over: Partial<FinishedJob> = {}): FinishedJob => ({
  id: "expo~42",
  data,
  timestamp: ENQUEUED,
  finishedOn: FINISHED,
  failedReason: "",
  progress: 0,
  ...over,
});

describe("the event of a finished delivery", () => {
  it("of a delivered job holds its record, with the appliance's answer, and no password", () => {
    const data = {
      pid: "guest1",
      password: PASSWORD,
      source_id: "sms",
      batch_id: "expo",
      reference: "REG-1",
      submitted_by: "key1",
    };
    const record = recordOfJob(job(data), {
      outcome: "delivered",
      result: { status: 200, message: "SMS sent", attempts: 2 },
    });
    expect(record).toEqual({
      jobId: "expo~42",
      pid: "guest1",
      batchId: "expo",
      reference: "REG-1",
      outcome: "delivered",
      code: undefined,
      attempts: 2,
      enqueuedAt: "2026-01-01T10:00:00.000Z",
      finishedAt: "2026-01-01T10:00:02.500Z",
      applianceStatus: 200,
      applianceMessage: "SMS sent",
      submittedBy: "key1",
    });
    expect(deliveryRecordSchema.safeParse(record).success).toBe(true);
    const event = outcomeEvent(record, new Date(FINISHED));
    expect(event).toMatchObject({
      id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      type: "delivery.delivered",
      createdAt: "2026-01-01T10:00:02.500Z",
      data: record,
    });
    const body = JSON.stringify(event);
    expect(body).not.toContain(PASSWORD);
    expect(body).not.toContain("password");
    expect(body).not.toContain("null");
    expect(outcomeEvent(record)?.id).not.toBe(event?.id);
  });

  it("of a job failed for good carries the code of its reason and its attempts, never the sealed password", () => {
    const data = { pid: "ghost", password: SEALED, source_id: "sms", submitted_by: "key1" };
    const failed = job(data, {
      failedReason:
        "AXELNAC_GUEST_NOT_FOUND: send rejected: 404 no such user (AXELNAC_GUEST_NOT_FOUND)",
      progress: { deliveryAttempts: 2, lastCode: "AXELNAC_SMS_PROVIDER_FAILED", lastReason: "x" },
    });
    const record = recordOfJob(failed, { outcome: "failed" });
    expect(record).toMatchObject({
      outcome: "failed",
      code: "AXELNAC_GUEST_NOT_FOUND",
      attempts: 3,
    });
    expect(record.applianceStatus).toBeUndefined();
    expect(deliveryRecordSchema.safeParse(record).success).toBe(true);
    expect(outcomeEvent(record)?.type).toBe("delivery.failed");
    expect(JSON.stringify(outcomeEvent(record))).not.toContain(SEALED);
  });

  it("of invalid data, or a reason BullMQ wrote, still makes a record, without a code it cannot know", () => {
    const record = recordOfJob(
      job("not an object", { failedReason: "job stalled more than allowable limit" }),
      { outcome: "failed" },
    );
    expect(record).toMatchObject({ pid: "", outcome: "failed", attempts: 1 });
    expect(record.code).toBeUndefined();
  });

  it("is not made for a cancelled delivery", () => {
    const record = {
      ...recordOfJob(job({ pid: "g" }), { outcome: "cancelled" }),
      outcome: "cancelled" as const,
    };
    expect(outcomeEvent(record)).toBeUndefined();
  });
});
