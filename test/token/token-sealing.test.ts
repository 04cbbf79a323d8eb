import { KeyRing } from "../../src/secrets";
import { openToken, sealToken, tokenAad, tokenFingerprint } from "../../src/token/token-sealing";

const RING = KeyRing.parse(`k1:${Buffer.alloc(32, 71).toString("base64")}`);
const TOKEN = "a".repeat(64);
const KEY = "axelnac-courier:0123456789abcdef:token";

describe("the shared token at rest", () => {
  it("is sealed under the active key and bound to its Redis key", () => {
    const sealed = sealToken(RING, TOKEN, KEY);
    expect(sealed).toMatch(/^enc:v1:k1:/);
    expect(sealed).not.toContain(TOKEN);
    expect(openToken(RING, sealed, KEY)).toEqual({ ok: true, token: TOKEN });
    expect(openToken(RING, sealed, "axelnac-courier:fedcba9876543210:token")).toEqual({
      ok: false,
      reason: "it does not authenticate (altered, or copied from another record)",
    });
    expect(tokenAad(KEY)).toBe(`token\n${KEY}`);
  });

  it("is kept as it is without a ring, and a plaintext one reads as it is", () => {
    expect(sealToken(undefined, TOKEN, KEY)).toBe(TOKEN);
    expect(openToken(RING, TOKEN, KEY)).toEqual({ ok: true, token: TOKEN });
    expect(openToken(undefined, TOKEN, KEY)).toEqual({ ok: true, token: TOKEN });
  });

  it("says why a sealed token cannot be opened", () => {
    const sealed = sealToken(RING, TOKEN, KEY);
    expect(openToken(undefined, sealed, KEY)).toEqual({
      ok: false,
      reason: "it is sealed and JOB_ENCRYPTION_KEYS is not set",
    });
    const other = KeyRing.parse(`k2:${Buffer.alloc(32, 72).toString("base64")}`);
    expect(openToken(other, sealed, KEY)).toEqual({
      ok: false,
      reason: "it is sealed under key k1, which JOB_ENCRYPTION_KEYS lacks",
    });
  });

  it("is compared by a SHA-256 fingerprint that does not contain it", () => {
    expect(tokenFingerprint("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(tokenFingerprint(TOKEN)).not.toContain(TOKEN);
  });
});
