import {
  type GuestAccountsJob,
  readGuestAccountsJob,
  runMark,
  sealAccountPasswords,
} from "../../src/jobs/guest-accounts-job";
import { KeyRing, seal } from "../../src/secrets";

const RING = KeyRing.parse(`k1:${Buffer.alloc(32, 5).toString("base64")}`);
const OTHER = KeyRing.parse(`k2:${Buffer.alloc(32, 6).toString("base64")}`);
const PLAIN = { ring: undefined, plaintextRefused: false };
const WITH_RING = { ring: RING, plaintextRefused: true };

const JOB: GuestAccountsJob = {
  batch_id: "forum",
  source_id: "sms",
  run: "run-0001-abcd",
  reset_passwords: true,
  account: {
    valid_from: "2030-06-10 09:00:00",
    expiration: "2030-06-12 18:00:00",
    actions: [{ type: "set_access_duration", value: "3D" }],
  },
  guests: [
    {
      line: 2,
      pid: "79120000001",
      telephone: "+79120000001",
      firstname: "Иван",
      password: "Made-By-Courier",
    },
    { line: 3, pid: "79120000002", telephone: "+79120000002" },
  ],
  results: {
    "79120000001": { outcome: "reset", password: "Made-By-Courier" },
    "79120000002": { outcome: "existing" },
  },
};

describe("onboarding jobs", () => {
  it("the run's mark names the batch and the run", () => {
    expect(runMark(JOB)).toBe("Onboarded by axelnac-courier: batch forum, run run-0001-abcd");
  });

  it("read back as written, in plaintext without a ring", () => {
    expect(readGuestAccountsJob(JOB, PLAIN)).toEqual({ ok: true, job: JOB });
    expect(sealAccountPasswords(JOB, undefined)).toBe(JOB);
  });

  it("sealed, no password is left in plaintext, and the ring opens them all back", () => {
    const sealed = sealAccountPasswords(JOB, RING);
    expect(JSON.stringify(sealed)).not.toContain("Made-By-Courier");
    expect(sealed.guests[0]?.password).toMatch(/^enc:v1:k1:/);
    expect(sealed.guests[1]).toEqual(JOB.guests[1]);
    expect(sealed.results?.["79120000002"]).toEqual({ outcome: "existing" });
    expect(readGuestAccountsJob(sealed, WITH_RING)).toEqual({ ok: true, job: JOB });
    // Sealing again changes nothing already sealed.
    expect(sealAccountPasswords(sealed, RING)).toEqual(sealed);
  });

  it("a job without recorded results stays without", () => {
    const { results: _results, ...waiting } = JOB;
    const sealed = sealAccountPasswords(waiting, RING);
    expect("results" in sealed).toBe(false);
    const reading = readGuestAccountsJob(sealed, WITH_RING);
    expect(reading.ok && "results" in reading.job).toBe(false);
  });

  it("a sealed password is bound to its guest and source: moved to another guest, it does not open", () => {
    const sealed = sealAccountPasswords(JOB, RING);
    const moved = {
      ...sealed,
      results: { ...sealed.results, "79120000002": sealed.results?.["79120000001"] },
    };
    expect(readGuestAccountsJob(moved, WITH_RING)).toMatchObject({
      ok: false,
      problem: "unauthentic",
      reason: expect.stringMatching(/^password of 79120000002: /),
    });
    const otherSource = { ...sealed, source_id: "other" };
    expect(readGuestAccountsJob(otherSource, WITH_RING)).toMatchObject({ problem: "unauthentic" });
  });

  it("under a key this worker lacks, the job waits for one that has it (with a ring or without)", () => {
    const sealed = sealAccountPasswords(JOB, OTHER);
    expect(readGuestAccountsJob(sealed, WITH_RING)).toEqual({
      ok: false,
      problem: "unknown-key",
      keyId: "k2",
    });
    expect(readGuestAccountsJob(sealed, PLAIN)).toEqual({
      ok: false,
      problem: "unknown-key",
      keyId: "k2",
    });
  });

  it("a claim of a ciphertext that names no key does not open, with a ring or without", () => {
    const junk = {
      ...JOB,
      results: { "79120000001": { outcome: "created", password: "enc:junk" } },
    };
    expect(readGuestAccountsJob(junk, PLAIN)).toEqual({
      ok: false,
      problem: "unauthentic",
      reason: "password of 79120000001: not a ciphertext this courier reads",
    });
    expect(readGuestAccountsJob(junk, { ring: RING, plaintextRefused: false })).toEqual({
      ok: false,
      problem: "unauthentic",
      reason: "password of 79120000001: not in the enc:v1:<key id>:<data> form",
    });
  });

  it("a plaintext password is refused when JOB_ENCRYPTION_REQUIRED is set", () => {
    expect(readGuestAccountsJob(JOB, WITH_RING)).toEqual({
      ok: false,
      problem: "plaintext-refused",
      reason: "a password is in plaintext and JOB_ENCRYPTION_REQUIRED is set",
    });
    const { results: _r, ...noRecorded } = JOB;
    const sealedGuests = sealAccountPasswords(noRecorded, RING);
    const plainResult = {
      ...sealedGuests,
      results: { "79120000002": { outcome: "created", password: "p" } },
    };
    expect(readGuestAccountsJob(plainResult, WITH_RING)).toMatchObject({
      problem: "plaintext-refused",
    });
  });

  it.each([
    ["a guest without a telephone", { guests: [{ line: 2, pid: "x" }] }, "guests.0.telephone"],
    [
      "a telephone not in E.164",
      { guests: [{ line: 2, pid: "x", telephone: "8912" }] },
      "guests.0.telephone",
    ],
    ["no guest", { guests: [] }, "guests"],
    [
      "a pid the appliance refuses",
      { guests: [{ line: 2, pid: "a b", telephone: "+79120000001" }] },
      "guests.0.pid",
    ],
    ["a run mark with a space", { run: "run 1" }, "run"],
    ["an unknown outcome", { results: { x: { outcome: "lost" } } }, "results.x.outcome"],
  ])("%s is invalid, naming the field", (_what, change, field) => {
    expect(readGuestAccountsJob({ ...JOB, ...change }, PLAIN)).toEqual({
      ok: false,
      problem: "invalid",
      reason: `invalid onboarding job: ${field}`,
    });
  });

  it("data that is not an object is invalid as a whole", () => {
    expect(readGuestAccountsJob("x", PLAIN)).toEqual({
      ok: false,
      problem: "invalid",
      reason: "invalid onboarding job: data",
    });
  });

  it("a sealed value made elsewhere with the job's own guest and source opens", () => {
    const password = seal(RING, "Other-Pw-1", "password\n79120000002\nsms");
    const job = { ...JOB, results: { "79120000002": { outcome: "created", password } } };
    const reading = readGuestAccountsJob(job, { ring: RING, plaintextRefused: false });
    expect(reading.ok && reading.job.results?.["79120000002"]).toEqual({
      outcome: "created",
      password: "Other-Pw-1",
    });
  });
});
