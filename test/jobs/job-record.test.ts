import type { Job } from "bullmq";
import { isBatchId } from "../../src/jobs/batch-id-rule";
import { duplicateKey } from "../../src/jobs/duplicate-key";
import { batchJobId, batchOfJob, batchOfJobId } from "../../src/jobs/job-id";
import { DELIVERY_JOB_NAME, PID_PATTERN, validateDeliveryJob } from "../../src/jobs/job-schema";
import { failedAttempts } from "../../src/jobs/progress";

const valid = { pid: "guest1", password: "Guest-Pa55", source_id: "sms" };

describe("the job contract at its limits", () => {
  it.each([
    ["pid", "a".repeat(255), true],
    ["pid", "a".repeat(256), false],
    ["password", "p".repeat(255), true],
    ["source_id", "s".repeat(255), true],
    ["source_id", "s".repeat(256), false],
    ["source_id", "", false],
    ["pid", "", false],
    ["reference", "r".repeat(255), true],
    ["reference", "r".repeat(256), false],
    ["batch_id", "b".repeat(128), true],
    ["batch_id", "b".repeat(129), false],
    ["batch_id", "Выставка 2026", true],
    ["batch_id", "", false],
    ["file_line", 1, true],
    ["file_line", 0, false],
    ["file_line", 2.5, false],
    ["file_line", "2", false],
  ])("%s of %j characters: accepted %s", (field, value, accepted) => {
    expect(validateDeliveryJob({ ...valid, [field]: value }).ok).toBe(accepted);
  });

  it.each([
    ["expo~2026", 'holds "~"'],
    ["a/b", 'holds "/"'],
    ["expo-2026\n", "holds U+000A"],
    ["\nexpo", "holds U+000A"],
    [" expo", "starts or ends with a space"],
  ])("refuses the batch id %j: the whole id must fit the alphabet", (batchId, problem) => {
    expect(isBatchId(batchId)).toBe(false);
    expect(validateDeliveryJob({ ...valid, batch_id: batchId })).toMatchObject({
      ok: false,
      problems: [{ field: "batch_id", message: expect.stringContaining(problem) }],
    });
  });

  it.each(["guest 1", "guest1\n", "\nguest1", "гость"])("refuses the pid %j", (pid) => {
    expect(PID_PATTERN.test(pid)).toBe(false);
  });

  it("names every problem as data and as one sentence", () => {
    expect(validateDeliveryJob({ pid: "a b", password: 1 })).toEqual({
      ok: false,
      reason:
        "invalid job: pid: AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance's rule for user ids); password: must be a string; source_id: is required",
      problems: [
        {
          field: "pid",
          message:
            "AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance's rule for user ids)",
        },
        { field: "password", message: "must be a string" },
        { field: "source_id", message: "is required" },
      ],
    });
    expect(validateDeliveryJob(null)).toEqual({
      ok: false,
      reason: "invalid job: job data must be a JSON object with pid, password and source_id",
      problems: [
        { field: null, message: "job data must be a JSON object with pid, password and source_id" },
      ],
    });
  });
});

describe("job ids and batches", () => {
  it("puts the batch in front of the job id, and reads it back", () => {
    expect(batchJobId("expo-2026", "42")).toBe("expo-2026~42");
    expect(batchJobId(undefined, "42")).toBe("42");
    expect(batchJobId("", "42")).toBe("42");
    expect(batchOfJobId("expo-2026~42")).toBe("expo-2026");
    expect(batchOfJobId("42")).toBeUndefined();
    expect(batchOfJobId("~42")).toBeUndefined();
  });

  it("takes a job's batch from its data first, then from its id", () => {
    expect(batchOfJob({ id: "a~1", data: { batch_id: "b" } })).toBe("b");
    expect(batchOfJob({ id: "a~1", data: { batch_id: "not valid!" } })).toBe("a");
    expect(batchOfJob({ id: "a~1", data: { batch_id: 7 } })).toBe("a");
    expect(batchOfJob({ id: "1", data: {} })).toBeUndefined();
    expect(batchOfJob({ data: { batch_id: "b" } })).toBe("b");
    expect(batchOfJob({})).toBeUndefined();
  });
});

describe("attempt progress", () => {
  const progress = (value: unknown) => ({ progress: value }) as Pick<Job, "progress">;

  it("counts the failed attempts the worker recorded, and none for anything else", () => {
    expect(
      failedAttempts(progress({ deliveryAttempts: 3, lastCode: "X", lastReason: "X: y" })),
    ).toBe(3);
    expect(failedAttempts(progress({}))).toBe(0);
    expect(failedAttempts(progress({ deliveryAttempts: "3" }))).toBe(0);
    expect(failedAttempts(progress(0))).toBe(0);
    expect(failedAttempts(progress(50))).toBe(0);
    expect(failedAttempts(progress(null))).toBe(0);
  });
});

describe("duplicate keys", () => {
  it("is a hex HMAC-SHA256 of the length-prefixed source, pid and password", () => {
    // Computed independently: HMAC-SHA256(key "k"*32, "3:sms6:guest110:Guest-Pa55").
    const { createHmac } = require("node:crypto") as typeof import("node:crypto");
    const expected = createHmac("sha256", "k".repeat(32))
      .update("3:sms6:guest110:Guest-Pa55")
      .digest("hex");
    expect(duplicateKey("k".repeat(32), valid)).toBe(expected);
  });

  it("counts a field's length in bytes, not characters", () => {
    const { createHmac } = require("node:crypto") as typeof import("node:crypto");
    const expected = createHmac("sha256", "k".repeat(32))
      .update("3:sms6:guest112:Пароль")
      .digest("hex");
    expect(duplicateKey("k".repeat(32), { ...valid, password: "Пароль" })).toBe(expected);
  });
});

describe("the job contract's words", () => {
  it.each([
    [
      { pid: "" },
      "invalid job: pid: must not be empty; pid: AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance's rule for user ids)",
    ],
    [{ pid: "a".repeat(256) }, "invalid job: pid: must be at most 255 characters"],
    [{ password: "p".repeat(256) }, "invalid job: password: must be at most 255 characters"],
    [{ source_id: "" }, "invalid job: source_id: must not be empty"],
    [{ source_id: "s".repeat(256) }, "invalid job: source_id: must be at most 255 characters"],
    [{ batch_id: 7 }, "invalid job: batch_id: must be a string"],
    [{ file_line: "2" }, "invalid job: file_line: must be a whole number from 1"],
    [{ file_line: 0 }, "invalid job: file_line: must be a whole number from 1"],
    [
      { batch_id: "a:b" },
      'invalid job: batch_id: holds ":": a batch id is made of letters, digits, single spaces between words and - _ .',
    ],
  ])("%j is refused as %j", (change, reason) => {
    expect(validateDeliveryJob({ ...valid, ...change })).toMatchObject({ ok: false, reason });
  });

  it("names the job the courier's producers use", () => {
    expect(DELIVERY_JOB_NAME).toBe("send-credentials");
  });
});
