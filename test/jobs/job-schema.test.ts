import { duplicateKey } from "../../src/jobs/duplicate-key";
import { validateDeliveryJob } from "../../src/jobs/job-schema";

describe("the job contract, version 1", () => {
  it("accepts the documented payload and ignores unknown fields", () => {
    const result = validateDeliveryJob({
      pid: "guest.1@expo/hall\\B-2_x",
      password: "Guest-Pa55",
      source_id: "sms",
      batch_id: "expo-2026",
      reference: "REG-1042",
      upstream_note: "kept by the producer",
    });
    expect(result).toEqual({
      ok: true,
      job: {
        pid: "guest.1@expo/hall\\B-2_x",
        password: "Guest-Pa55",
        source_id: "sms",
        batch_id: "expo-2026",
        reference: "REG-1042",
      },
    });
  });

  it.each([
    [{ password: "p", source_id: "s" }, "invalid job: pid: is required"],
    [
      { pid: "a b", password: "p", source_id: "s" },
      "invalid job: pid: AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance's rule for user ids)",
    ],
    [{ pid: "a", password: 42, source_id: "s" }, "invalid job: password: must be a string"],
    [{ pid: "a", password: "", source_id: "s" }, "invalid job: password: must not be empty"],
    [{ pid: "a", password: "p" }, "invalid job: source_id: is required"],
    ["just a string", "job data must be a JSON object with pid, password and source_id"],
  ])("refuses %j naming the field", (data, reason) => {
    const result = validateDeliveryJob(data);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it.each([
    ["pid", "x".repeat(256)],
    ["password", "x".repeat(256)],
    ["source_id", "x".repeat(256)],
    ["reference", "x".repeat(256)],
  ])("says a %s over 255 characters is too long, not of the wrong type", (field, value) => {
    const job = { pid: "a", password: "p", source_id: "s", [field]: value };
    const result = validateDeliveryJob(job);
    expect(!result.ok && result.reason).toBe(
      `invalid job: ${field}: must be at most 255 characters`,
    );
    expect(validateDeliveryJob({ ...job, [field]: value.slice(1) }).ok).toBe(true);
  });

  it.each([
    [" Guest-Pa55", "a leading space"],
    ["Guest-Pa55 ", "a trailing space"],
    ["\tGuest-Pa55", "a leading tab"],
    ["Guest-Pa55\n", "a trailing line break"],
    ["Guest-Pa55\u00a0", "a trailing no-break space"],
    ["   ", "nothing but spaces"],
  ])("refuses a password with %j (%s): the guest could not type it from the SMS", (password) => {
    const result = validateDeliveryJob({ pid: "a", password, source_id: "s" });
    expect(!result.ok && result.reason).toBe(
      "invalid job: password: must not start or end with a space or other blank character",
    );
  });

  it("keeps spaces inside a password as they are", () => {
    const result = validateDeliveryJob({ pid: "a", password: "Guest  Pa 55", source_id: "s" });
    expect(result.ok && result.job.password).toBe("Guest  Pa 55");
  });

  it("never quotes a value in its reason, since it may be a password", () => {
    const result = validateDeliveryJob({ pid: "ok", password: "x".repeat(300), source_id: "s" });
    expect(!result.ok && result.reason).toBe(
      "invalid job: password: must be at most 255 characters",
    );
  });
});

describe("duplicate keys", () => {
  const job = { source_id: "sms", pid: "guest1", password: "Guest-Pa55" };

  it("are stable for the same secret and triple, and differ with any part", () => {
    expect(duplicateKey("s".repeat(32), job)).toBe(duplicateKey("s".repeat(32), { ...job }));
    expect(duplicateKey("s".repeat(32), job)).not.toBe(duplicateKey("t".repeat(32), job));
    expect(duplicateKey("s".repeat(32), job)).not.toBe(
      duplicateKey("s".repeat(32), { ...job, password: "other" }),
    );
    // Length prefixes keep field boundaries: ("ab","c") and ("a","bc") differ.
    expect(duplicateKey("k".repeat(32), { source_id: "x", pid: "ab", password: "c" })).not.toBe(
      duplicateKey("k".repeat(32), { source_id: "x", pid: "a", password: "bc" }),
    );
  });
});
