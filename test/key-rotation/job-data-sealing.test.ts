import { passwordAad, sealJobPassword } from "../../src/jobs/job-password";
import { passwordKeeping, resealJobData } from "../../src/key-rotation/job-data-sealing";
import { KeyRing, open } from "../../src/secrets";

const OLD = KeyRing.parse(`old:${Buffer.alloc(32, 61).toString("base64")}`);
const RING = KeyRing.parse(
  `new:${Buffer.alloc(32, 62).toString("base64")},old:${Buffer.alloc(32, 61).toString("base64")}`,
);
const JOB = {
  pid: "guest1",
  password: "Guest-Pa55",
  source_id: "sms",
  batch_id: "expo",
  extra: { n: 1 },
};

describe("passwordKeeping", () => {
  it.each([
    [JSON.stringify(sealJobPassword(JOB, OLD)), { sealedUnder: "old" }],
    [JSON.stringify(JOB), "plaintext"],
    [JSON.stringify({ ...JOB, password: "enc:v9:x" }), { sealedUnder: "(malformed)" }],
    [JSON.stringify({ pid: "guest1" }), "no-password"],
    [JSON.stringify({ ...JOB, password: 42 }), "no-password"],
    ["not json", "no-password"],
    ["[1,2]", "no-password"],
    ["null", "no-password"],
  ])("reads %s as %j", (raw, expected) => {
    expect(passwordKeeping(raw)).toEqual(expected);
  });
});

describe("resealJobData", () => {
  it("opens an older key's ciphertext and seals it under the active key, keeping every other field", () => {
    const resealing = resealJobData(JSON.stringify(sealJobPassword(JOB, OLD)), RING);
    if (resealing.action !== "reseal")
      throw new Error(`not re-sealed: ${JSON.stringify(resealing)}`);
    expect(resealing.from).toBe("old");
    const data = JSON.parse(resealing.data);
    expect({ ...data, password: "?" }).toEqual({ ...JOB, password: "?" });
    expect(data.password).toMatch(/^enc:v1:new:/);
    expect(open(RING, data.password, passwordAad(JOB))).toMatchObject({
      ok: true,
      text: "Guest-Pa55",
    });
  });

  it("seals a plaintext password", () => {
    const resealing = resealJobData(JSON.stringify(JOB), RING);
    expect(resealing).toMatchObject({ action: "reseal", from: "plaintext" });
    const data = JSON.parse((resealing as { data: string }).data);
    expect(open(RING, data.password, passwordAad(JOB))).toMatchObject({
      ok: true,
      text: "Guest-Pa55",
    });
  });

  it("keeps a password already under the active key, and data without a password", () => {
    expect(resealJobData(JSON.stringify(sealJobPassword(JOB, RING)), RING)).toEqual({
      action: "keep",
      why: "active-key",
    });
    for (const data of [
      { pid: "guest1", source_id: "sms" },
      { ...JOB, pid: 7 },
      { ...JOB, source_id: null },
    ]) {
      expect(resealJobData(JSON.stringify(data), RING)).toEqual({
        action: "keep",
        why: "no-password",
      });
    }
    expect(resealJobData("{broken", RING)).toEqual({ action: "keep", why: "no-password" });
  });

  it("cannot re-seal a key the ring lacks, nor a ciphertext that does not authenticate", () => {
    const elsewhere = KeyRing.parse(`elsewhere:${Buffer.alloc(32, 63).toString("base64")}`);
    expect(resealJobData(JSON.stringify(sealJobPassword(JOB, elsewhere)), RING)).toEqual({
      action: "cannot",
      why: "key-missing",
      keyId: "elsewhere",
    });
    const moved = { ...sealJobPassword(JOB, OLD), pid: "guest2" };
    expect(resealJobData(JSON.stringify(moved), RING)).toEqual({
      action: "cannot",
      why: "unauthentic",
      keyId: "old",
    });
    expect(resealJobData(JSON.stringify({ ...JOB, password: "enc:junk" }), RING)).toEqual({
      action: "cannot",
      why: "unauthentic",
      keyId: "(malformed)",
    });
  });
});
