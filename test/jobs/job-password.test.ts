import { passwordAad, readStoredJob, sealJobPassword } from "../../src/jobs/job-password";
import { KeyRing, seal } from "../../src/secrets";

const OLD = KeyRing.parse(`old:${Buffer.alloc(32, 1).toString("base64")}`);
const RING = KeyRing.parse(
  `new:${Buffer.alloc(32, 2).toString("base64")},old:${Buffer.alloc(32, 1).toString("base64")}`,
);
const JOB = { pid: "guest1", password: "Guest-Pa55", source_id: "sms", reference: "REG-1" };
const open = { ring: RING, plaintextRefused: false };

describe("sealJobPassword", () => {
  it("seals the password under the active key and leaves every other field readable", () => {
    const sealed = sealJobPassword(JOB, RING);
    expect(sealed).toEqual({ ...JOB, password: expect.stringMatching(/^enc:v1:new:[\w-]+$/) });
    expect(JSON.stringify(sealed)).not.toContain("Guest-Pa55");
  });

  it("leaves the job as it is without a ring", () => {
    expect(sealJobPassword(JOB, undefined)).toBe(JOB);
  });

  it("binds the password to pid and source_id, a line feed apart", () => {
    expect(passwordAad({ pid: "guest1", source_id: "sms" })).toBe("password\nguest1\nsms");
  });
});

describe("readStoredJob", () => {
  it("opens a sealed password, under the active key or an older one", () => {
    for (const ring of [RING, OLD]) {
      const reading = readStoredJob(sealJobPassword(JOB, ring), open);
      expect(reading).toEqual({ ok: true, job: JOB, sealedUnder: ring.activeId });
    }
  });

  it("reads a plaintext job as before, unless plaintext is refused", () => {
    expect(readStoredJob(JOB, open)).toEqual({ ok: true, job: JOB, sealedUnder: undefined });
    expect(readStoredJob(JOB, { ring: undefined, plaintextRefused: false })).toMatchObject({
      ok: true,
    });
    expect(readStoredJob(JOB, { ring: RING, plaintextRefused: true })).toEqual({
      ok: false,
      problem: "plaintext-refused",
      reason: "the password is in plaintext and JOB_ENCRYPTION_REQUIRED is set",
    });
  });

  it("reports an invalid job as invalid before asking about plaintext", () => {
    const reading = readStoredJob({ ...JOB, pid: 42 }, { ring: RING, plaintextRefused: true });
    expect(reading).toMatchObject({
      ok: false,
      problem: "invalid",
      reason: "invalid job: pid: must be a string",
    });
  });

  it("refuses a sealed password copied onto another guest or source", () => {
    const sealed = sealJobPassword(JOB, RING);
    for (const moved of [
      { ...sealed, pid: "guest2" },
      { ...sealed, source_id: "other" },
    ]) {
      expect(readStoredJob(moved, open)).toEqual({
        ok: false,
        problem: "unauthentic",
        reason: "password: does not authenticate (altered, or copied from another record)",
      });
    }
  });

  it("names the key id of a password sealed under a key it lacks, with or without a ring", () => {
    const other = KeyRing.parse(`elsewhere:${Buffer.alloc(32, 5).toString("base64")}`);
    const sealed = sealJobPassword(JOB, other);
    const missing = { ok: false, problem: "unknown-key", keyId: "elsewhere" };
    expect(readStoredJob(sealed, open)).toEqual(missing);
    expect(readStoredJob(sealed, { ring: undefined, plaintextRefused: false })).toEqual(missing);
  });

  it("refuses a password that claims to be sealed but is not in the form", () => {
    expect(readStoredJob({ ...JOB, password: "enc:Guest" }, open)).toEqual({
      ok: false,
      problem: "unauthentic",
      reason: "password: not in the enc:v1:<key id>:<data> form",
    });
    const noRing = { ring: undefined, plaintextRefused: false };
    expect(readStoredJob({ ...JOB, password: "enc:Guest" }, noRing)).toEqual({
      ok: false,
      problem: "unauthentic",
      reason: "password: not a ciphertext this courier reads",
    });
  });

  it("fails a sealed job that is invalid in another field, even under a key it lacks", () => {
    const other = KeyRing.parse(`elsewhere:${Buffer.alloc(32, 5).toString("base64")}`);
    const sealed = { ...sealJobPassword(JOB, other), batch_id: "no~tildes" };
    expect(readStoredJob(sealed, open)).toMatchObject({
      ok: false,
      problem: "invalid",
      reason: expect.stringMatching(/^invalid job: batch_id: holds "~"/),
    });
  });

  it("validates the opened job: a sealed password too long for the contract is invalid", () => {
    const long = { ...JOB, password: seal(RING, "x".repeat(256), passwordAad(JOB)) };
    expect(readStoredJob(long, open)).toMatchObject({
      ok: false,
      problem: "invalid",
      reason: "invalid job: password: must be at most 255 characters",
    });
  });

  it("names a missing pid or source_id of a sealed job as the contract does", () => {
    const sealed = sealJobPassword(JOB, RING);
    const { pid: _pid, ...withoutPid } = sealed;
    expect(readStoredJob(withoutPid, open)).toMatchObject({
      ok: false,
      problem: "invalid",
      reason: "invalid job: pid: is required",
    });
    expect(readStoredJob({ ...sealed, source_id: 7 }, open)).toMatchObject({
      problem: "invalid",
      reason: "invalid job: source_id: must be a string",
    });
  });

  it("reads data that is not an object as invalid", () => {
    for (const data of [null, "text", 3]) {
      expect(readStoredJob(data, open)).toMatchObject({ ok: false, problem: "invalid" });
    }
  });
});
