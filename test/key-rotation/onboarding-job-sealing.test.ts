import {
  type GuestAccountsJob,
  readGuestAccountsJob,
  sealAccountPasswords,
} from "../../src/jobs/guest-accounts-job";
import { passwordKeeping, resealJobData } from "../../src/key-rotation/job-data-sealing";
import { KeyRing } from "../../src/secrets";

const OLD = KeyRing.parse(`old:${Buffer.alloc(32, 61).toString("base64")}`);
const RING = KeyRing.parse(
  `new:${Buffer.alloc(32, 62).toString("base64")},old:${Buffer.alloc(32, 61).toString("base64")}`,
);
const NEW_ONLY = KeyRing.parse(`new:${Buffer.alloc(32, 62).toString("base64")}`);

const JOB: GuestAccountsJob = {
  batch_id: "forum",
  source_id: "sms",
  run: "0b5c7f0e-run-mark",
  reset_passwords: false,
  account: {
    valid_from: "2030-06-10 09:00:00",
    expiration: "2030-06-12 18:00:00",
    actions: [{ type: "set_role", value: "guest" }],
  },
  guests: [
    { line: 2, pid: "79120000001", telephone: "+79120000001", password: "Courier-Made-1" },
    { line: 3, pid: "79120000002", telephone: "+79120000002" },
  ],
  results: {
    "79120000002": { outcome: "created", password: "kesobuna" },
  },
};

const opened = (raw: string, ring: KeyRing) => {
  const reading = readGuestAccountsJob(JSON.parse(raw), { ring, plaintextRefused: true });
  if (!reading.ok) throw new Error(`does not open: ${JSON.stringify(reading)}`);
  return reading.job;
};

describe("key rotation of onboarding jobs (their guests' and recorded passwords)", () => {
  it("counts a job by the key its passwords are sealed under, plaintext if any is not", () => {
    expect(passwordKeeping(JSON.stringify(sealAccountPasswords(JOB, OLD)))).toEqual({
      sealedUnder: "old",
    });
    expect(passwordKeeping(JSON.stringify(JOB))).toBe("plaintext");
    const noPasswords = { ...JOB, guests: [JOB.guests[1]], results: undefined };
    expect(passwordKeeping(JSON.stringify(noPasswords))).toBe("no-password");
  });

  it("counts the courier's passwords and the recorded ones alike, and a job with one plaintext password among sealed ones as plaintext", () => {
    const courierOnly = { ...JOB, results: { "79120000002": { outcome: "existing" } } };
    const recordedOnly = { ...JOB, guests: [JOB.guests[1]] };
    for (const job of [courierOnly, recordedOnly] as GuestAccountsJob[]) {
      expect(passwordKeeping(JSON.stringify(job))).toBe("plaintext");
      expect(passwordKeeping(JSON.stringify(sealAccountPasswords(job, OLD)))).toEqual({
        sealedUnder: "old",
      });
    }
    const sealed = sealAccountPasswords({ ...JOB, results: undefined }, OLD);
    const mixed = { ...sealed, results: JOB.results };
    expect(passwordKeeping(JSON.stringify(mixed))).toBe("plaintext");
  });

  it("an onboarding job that is not valid holds no password to count or re-seal (its worker fails it as invalid)", () => {
    const invalid = JSON.stringify({ ...JOB, guests: [{ pid: "x", password: "Plain-Text-1" }] });
    expect(passwordKeeping(invalid)).toBe("no-password");
    expect(resealJobData(invalid, RING)).toEqual({ action: "keep", why: "no-password" });
  });

  it("a password that claims to be sealed but names no key is counted and refused as malformed", () => {
    const junk = {
      ...JOB,
      guests: [JOB.guests[1]],
      results: { "79120000002": { outcome: "created", password: "enc:junk" } },
    };
    expect(passwordKeeping(JSON.stringify(junk))).toEqual({ sealedUnder: "(malformed)" });
    expect(resealJobData(JSON.stringify(junk), RING)).toEqual({
      action: "cannot",
      why: "unauthentic",
      keyId: "(malformed)",
    });
  });

  it("re-seals every password of the job under the active key; the ring's new key alone then opens them", () => {
    const resealing = resealJobData(JSON.stringify(sealAccountPasswords(JOB, OLD)), RING);
    if (resealing.action !== "reseal") throw new Error(JSON.stringify(resealing));
    expect(resealing.from).toBe("old");
    expect(resealing.data).not.toContain("Courier-Made-1");
    expect(resealing.data).not.toContain("kesobuna");
    expect(passwordKeeping(resealing.data)).toEqual({ sealedUnder: "new" });
    expect(opened(resealing.data, NEW_ONLY)).toEqual(JOB);
  });

  it("seals plaintext passwords, and keeps a job already under the active key", () => {
    const fromPlain = resealJobData(JSON.stringify(JOB), RING);
    if (fromPlain.action !== "reseal") throw new Error(JSON.stringify(fromPlain));
    expect(fromPlain.from).toBe("plaintext");
    expect(opened(fromPlain.data, NEW_ONLY)).toEqual(JOB);
    expect(resealJobData(fromPlain.data, RING)).toEqual({ action: "keep", why: "active-key" });
    const noPasswords = { ...JOB, guests: [JOB.guests[1]], results: undefined };
    expect(resealJobData(JSON.stringify(noPasswords), RING)).toEqual({
      action: "keep",
      why: "no-password",
    });
  });

  it("cannot re-seal a job sealed under a key the ring lacks, nor one whose ciphertext was moved to another guest", () => {
    expect(resealJobData(JSON.stringify(sealAccountPasswords(JOB, OLD)), NEW_ONLY)).toEqual({
      action: "cannot",
      why: "key-missing",
      keyId: "old",
    });
    const sealed = sealAccountPasswords(JOB, OLD);
    const moved = {
      ...sealed,
      guests: [{ ...sealed.guests[0], pid: "79120000009" }, sealed.guests[1]],
    };
    expect(resealJobData(JSON.stringify(moved), RING)).toEqual({
      action: "cannot",
      why: "unauthentic",
      keyId: "old",
    });
  });
});
