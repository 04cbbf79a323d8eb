import { UnrecoverableError } from "bullmq";
import { deliveryRecordSchema } from "../../src/history/delivery-record";
import { decodeRecord, encodeRecord } from "../../src/history/record-encoding";
import {
  APPLIANCE_MESSAGE_LIMIT,
  bounded,
  FIELD_LIMIT,
  type FinishedJob,
  MESSAGE_LIMIT,
  recordOfJob,
} from "../../src/history/record-of-job";
import { GaveUpError } from "../../src/outcome/gave-up-error";

const ENQUEUED = Date.parse("2026-12-03T14:05:00.000Z");
const FINISHED = Date.parse("2026-12-03T14:05:02.500Z");
const NOW = Date.parse("2026-12-03T15:00:00.000Z");
const NOW_ISO = "2026-12-03T15:00:00.000Z";
const CANCELLED = { outcome: "cancelled" } as const;

/** A finished delivery job as the worker's events give it. */
function job(fields: Partial<FinishedJob> = {}): FinishedJob {
  return {
    id: "expo~5d0c3b7e",
    data: {
      pid: "guest-1",
      password: "guestpw-never-recorded",
      source_id: "sms",
      batch_id: "expo",
      reference: "REG-1",
      submitted_by: "key-7",
    },
    timestamp: ENQUEUED,
    finishedOn: FINISHED,
    failedReason: "",
    progress: 0,
    ...fields,
  } as FinishedJob;
}

const COMMON = {
  jobId: "expo~5d0c3b7e",
  pid: "guest-1",
  batchId: "expo",
  reference: "REG-1",
  submittedBy: "key-7",
  enqueuedAt: "2026-12-03T14:05:00.000Z",
  finishedAt: "2026-12-03T14:05:02.500Z",
};

const NOT_FOUND = {
  code: "AXELNAC_GUEST_NOT_FOUND",
  failureClass: "permanent",
  message:
    'send_user_credentials for pid "guest-1" rejected: 404 no such user (AXELNAC_GUEST_NOT_FOUND)',
  status: 404,
  applianceMessage: "no such user",
} as const;

describe("recordOfJob", () => {
  it.each([
    [
      "delivered: the appliance's answer and the attempts the processor counted",
      job(),
      { outcome: "delivered", result: { status: 200, message: "Credentials sent", attempts: 2 } },
      {
        ...COMMON,
        outcome: "delivered",
        attempts: 2,
        applianceStatus: 200,
        applianceMessage: "Credentials sent",
      },
    ],
    [
      "failed for good by the appliance: code, message without it, status and message of the answer",
      job({
        failedReason: `AXELNAC_GUEST_NOT_FOUND: ${NOT_FOUND.message}`,
        progress: { deliveryAttempts: 0, lastCode: "", lastReason: "" },
      }),
      { outcome: "failed", error: new GaveUpError(NOT_FOUND) },
      {
        ...COMMON,
        outcome: "failed",
        code: "AXELNAC_GUEST_NOT_FOUND",
        message: 'send_user_credentials for pid "guest-1" rejected: 404 no such user',
        attempts: 1,
        applianceStatus: 404,
        applianceMessage: "no such user",
      },
    ],
    [
      "failed after retries: the attempts written down, plus the last",
      job({
        failedReason:
          "AXELNAC_SMS_PROVIDER_FAILED: send failed: 500 (AXELNAC_SMS_PROVIDER_FAILED) (gave up after 3 attempts)",
        progress: { deliveryAttempts: 2, lastCode: "AXELNAC_SMS_PROVIDER_FAILED", lastReason: "x" },
      }),
      {
        outcome: "failed",
        error: new GaveUpError(
          {
            code: "AXELNAC_SMS_PROVIDER_FAILED",
            failureClass: "retryable",
            message: "send failed: 500",
            status: 500,
          },
          "gave up after 3 attempts",
        ),
      },
      {
        ...COMMON,
        outcome: "failed",
        code: "AXELNAC_SMS_PROVIDER_FAILED",
        message: "send failed: 500 (gave up after 3 attempts)",
        attempts: 3,
        applianceStatus: 500,
      },
    ],
    [
      "failed by the courier (invalid job data): no appliance answer",
      job({
        data: { pid: "guest-1", source_id: "sms" },
        id: "7",
        failedReason: "COURIER_INVALID_JOB: invalid job: password: is required",
      }),
      {
        outcome: "failed",
        error: new UnrecoverableError("COURIER_INVALID_JOB: invalid job: password: is required"),
      },
      {
        jobId: "7",
        pid: "guest-1",
        outcome: "failed",
        code: "COURIER_INVALID_JOB",
        message: "invalid job: password: is required",
        attempts: 1,
        enqueuedAt: COMMON.enqueuedAt,
        finishedAt: COMMON.finishedAt,
      },
    ],
    [
      "failed by BullMQ itself (stalled too often): its reason as the message, no code",
      job({ failedReason: "job stalled more than allowable limit" }),
      { outcome: "failed", error: new Error("job stalled more than allowable limit") },
      {
        ...COMMON,
        outcome: "failed",
        message: "job stalled more than allowable limit",
        attempts: 1,
      },
    ],
    [
      "cancelled: the attempts made before the batch was cancelled",
      job({ progress: { deliveryAttempts: 1, lastCode: "X", lastReason: "x" } }),
      { outcome: "cancelled" },
      { ...COMMON, outcome: "cancelled", attempts: 1 },
    ],
  ] as const)("%s", (_what, finished, finish, expected) => {
    const record = recordOfJob(finished, finish, NOW);
    expect(record).toEqual(expected);
    expect(deliveryRecordSchema.parse(record)).toEqual(record);
  });

  it("never holds the job's password, nor its source", () => {
    const record = recordOfJob(job(), { outcome: "cancelled" }, NOW);
    expect(JSON.stringify(record)).not.toMatch(/guestpw|sms/);
    expect(encodeRecord(record)).not.toMatch(/guestpw/);
  });

  it("takes the batch from the job id when the data has none, and now for a missing finish time", () => {
    const record = recordOfJob(
      job({ data: { pid: "guest-2" }, finishedOn: undefined }),
      { outcome: "cancelled" },
      NOW,
    );
    expect(record).toMatchObject({ batchId: "expo", finishedAt: new Date(NOW).toISOString() });
    expect(record).not.toHaveProperty("reference");
  });

  it("takes now for a time no date can hold", () => {
    for (const time of [Number.NaN, 9e15, Number.POSITIVE_INFINITY, -1]) {
      const record = recordOfJob(job({ timestamp: time, finishedOn: time }), CANCELLED, NOW);
      expect(record).toMatchObject({ enqueuedAt: NOW_ISO, finishedAt: NOW_ISO });
    }
  });

  it("gives each of consecutive jobs its own times, in the record and as stored", () => {
    const times = [FINISHED, FINISHED + 1, FINISHED + 1, FINISHED, ENQUEUED];
    for (const time of times) {
      const record = recordOfJob(job({ timestamp: time - 1, finishedOn: time }), CANCELLED, NOW);
      expect(record).toMatchObject({
        enqueuedAt: new Date(time - 1).toISOString(),
        finishedAt: new Date(time).toISOString(),
      });
      expect(JSON.parse(encodeRecord(record))).toMatchObject({ e: time - 1, f: time });
    }
  });

  it("makes do with job data that is not an object at all", () => {
    const record = recordOfJob(job({ data: "garbage", id: "9" }), { outcome: "failed" }, NOW);
    expect(record).toMatchObject({ jobId: "9", pid: "", outcome: "failed", attempts: 1 });
    expect(deliveryRecordSchema.safeParse(record).success).toBe(true);
  });

  it("cuts every text to its limit, so that a record stays small whatever a job holds", () => {
    const huge = "x".repeat(100_000);
    const record = recordOfJob(
      job({
        data: { pid: huge, reference: huge, submitted_by: huge },
        failedReason: `COURIER_INVALID_JOB: ${huge}`,
      }),
      {
        outcome: "failed",
        error: new GaveUpError({ ...NOT_FOUND, applianceMessage: huge }),
      },
      NOW,
    );
    expect(record.pid).toHaveLength(FIELD_LIMIT);
    expect(record.reference).toHaveLength(FIELD_LIMIT);
    expect(record.submittedBy).toHaveLength(FIELD_LIMIT);
    expect(record.message).toHaveLength(MESSAGE_LIMIT);
    expect(record.applianceMessage).toHaveLength(APPLIANCE_MESSAGE_LIMIT);
    expect(record.message?.endsWith("…")).toBe(true);
    expect(encodeRecord(record).length).toBeLessThan(2_000);
  });
});

describe("bounded", () => {
  it.each([
    ["short", 10, "short"],
    ["exactly10!", 10, "exactly10!"],
    ["eleven char", 10, "eleven ch…"],
    // 😀 is two UTF-16 units: a cut between them would leave half a character.
    ["abcdefgh😀z", 10, "abcdefgh…"],
  ])("%j cut to %d is %j", (text, limit, expected) => {
    expect(bounded(text, limit)).toBe(expected);
  });
});

describe("the stored encoding", () => {
  it("reads back every field of a record, and is shorter than the record's own JSON", () => {
    const record = recordOfJob(
      job({ failedReason: `AXELNAC_GUEST_NOT_FOUND: ${NOT_FOUND.message}` }),
      { outcome: "failed", error: new GaveUpError(NOT_FOUND) },
      NOW,
    );
    const stored = encodeRecord(record);
    expect(decodeRecord(record.jobId, stored)).toEqual(record);
    expect(stored.length).toBeLessThan(JSON.stringify(record).length * 0.75);
  });

  it.each([
    ["not JSON", "{"],
    ["not an object", "[1,2]"],
    ["an unknown outcome", '{"p":"g","o":"z","a":1,"e":1,"f":1}'],
    ["a time no date holds", '{"p":"g","o":"d","a":1,"e":1e20,"f":1}'],
    ["a negative attempt count", '{"p":"g","o":"d","a":-1,"e":1,"f":1}'],
  ])("refuses %s", (_what, text) => {
    expect(decodeRecord("id", text)).toBeUndefined();
  });
});
