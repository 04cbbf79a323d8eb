import { deriveSecret, isSealed, KeyRing, open, seal, sealedKeyId } from "../../src/secrets";

// The test vectors of the README's job contract, computed with Python's `cryptography` (AESGCM),
// not with this code: a producer in another language that matches them is understood.
const VECTOR_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const VECTORS = [
  {
    iv: "a0a1a2a3a4a5a6a7a8a9aaab",
    aad: "password\nguest1\nsms",
    text: "Guest-Pa55",
    sealed: "enc:v1:k1:oKGio6SlpqeoqaqroW0ZXjHmUt5XUKcUNrQKrUHXzDXem9rLm1U",
  },
  {
    iv: "b0b1b2b3b4b5b6b7b8b9babb",
    aad: "password\nanna.petrova@example.org\nsms-ru",
    text: "Пароль-42",
    sealed: "enc:v1:k1:sLGys7S1tre4ubq7ScqKGz1Na-GXQ0Yu4Gm6q779k_FgJfldDhZMqDsleQ",
  },
];

const ring = KeyRing.parse(`k1:${VECTOR_KEY}`);

describe("sealed text", () => {
  it.each(VECTORS)("matches the contract's test vector for $text", (vector) => {
    expect(seal(ring, vector.text, vector.aad, Buffer.from(vector.iv, "hex"))).toBe(vector.sealed);
    expect(open(ring, vector.sealed, vector.aad)).toEqual({
      ok: true,
      text: vector.text,
      keyId: "k1",
    });
  });

  it("seals under the active key with a fresh IV each time, and any key of the ring opens", () => {
    const old = KeyRing.parse(`old:${Buffer.alloc(32, 9).toString("base64")}`);
    const sealedByOld = seal(old, "secret", "aad");
    const rotated = KeyRing.parse(`k1:${VECTOR_KEY},old:${Buffer.alloc(32, 9).toString("base64")}`);
    const sealedNow = seal(rotated, "secret", "aad");
    expect(sealedKeyId(sealedByOld)).toBe("old");
    expect(sealedKeyId(sealedNow)).toBe("k1");
    expect(seal(rotated, "secret", "aad")).not.toBe(sealedNow);
    expect(open(rotated, sealedByOld, "aad")).toEqual({ ok: true, text: "secret", keyId: "old" });
    expect(open(rotated, sealedNow, "aad")).toMatchObject({ ok: true, text: "secret" });
  });

  it("tells a key the ring lacks from a ciphertext that does not authenticate", () => {
    const sealed = VECTORS[0]?.sealed as string;
    const other = KeyRing.parse(`k2:${Buffer.alloc(32, 3).toString("base64")}`);
    expect(open(other, sealed, "password\nguest1\nsms")).toEqual({
      ok: false,
      problem: "unknown-key",
      keyId: "k1",
    });
    const wrongKeySameId = KeyRing.parse(`k1:${Buffer.alloc(32, 3).toString("base64")}`);
    expect(open(wrongKeySameId, sealed, "password\nguest1\nsms")).toMatchObject({
      ok: false,
      problem: "unauthentic",
      keyId: "k1",
    });
  });

  it.each([
    ["another guest's authenticated data", (s: string) => s, "password\nguest2\nsms"],
    [
      "a changed byte",
      (s: string) => `${s.slice(0, 20)}${s[20] === "A" ? "B" : "A"}${s.slice(21)}`,
      "password\nguest1\nsms",
    ],
    ["a cut tag", (s: string) => s.slice(0, -2), "password\nguest1\nsms"],
  ])("refuses %s", (_, alter, aad) => {
    const sealed = alter(VECTORS[0]?.sealed as string);
    expect(open(ring, sealed, aad)).toEqual({
      ok: false,
      problem: "unauthentic",
      keyId: "k1",
      detail: "does not authenticate (altered, or copied from another record)",
    });
  });

  it.each([
    ["enc:v2:k1:abc", "not in the enc:v1:<key id>:<data> form"],
    ["enc:v1:k1", "not in the enc:v1:<key id>:<data> form"],
    ["enc:v1::abc", "not in the enc:v1:<key id>:<data> form"],
    ["enc:v1:k1:AAAA", "too short to be a ciphertext"],
  ])("refuses the malformed %j", (sealed, detail) => {
    expect(open(ring, sealed, "aad")).toMatchObject({ ok: false, problem: "unauthentic", detail });
  });

  it("seals and opens an empty text: the shortest ciphertext, IV and tag alone", () => {
    const sealed = seal(ring, "", "aad");
    expect(Buffer.from(sealed.slice("enc:v1:k1:".length), "base64url")).toHaveLength(28);
    expect(open(ring, sealed, "aad")).toEqual({ ok: true, text: "", keyId: "k1" });
  });

  it("knows a sealed text by its prefix", () => {
    expect(isSealed("enc:v1:k1:x")).toBe(true);
    expect(isSealed("enc:anything")).toBe(true);
    expect(isSealed("Guest-Pa55")).toBe(false);
    expect(isSealed("xenc:")).toBe(false);
    expect(sealedKeyId("Guest-Pa55")).toBeUndefined();
  });
});

describe("deriveSecret", () => {
  it("derives per purpose from the active key, and changes with it", () => {
    const a = deriveSecret(ring, "duplicate-key v1");
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(deriveSecret(KeyRing.parse(`k1:${VECTOR_KEY}`), "duplicate-key v1")).toBe(a);
    expect(deriveSecret(ring, "other")).not.toBe(a);
    const rotated = KeyRing.parse(`k2:${Buffer.alloc(32, 3).toString("base64")},k1:${VECTOR_KEY}`);
    expect(deriveSecret(rotated, "duplicate-key v1")).not.toBe(a);
    expect(a).not.toContain(VECTOR_KEY.slice(0, 10));
  });
});
