import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { KeyRing } from "./key-ring";

/**
 * A secret encrypted at rest: `enc:v1:<key id>:<base64url(iv | ciphertext | tag)>`, AES-256-GCM
 * with a random 12-byte IV and a 16-byte tag. Authenticated data (not stored) binds the ciphertext
 * to what it belongs to, so a ciphertext copied elsewhere does not open there. The README's job
 * contract documents this format for producers in other languages, with test vectors.
 */
export const SEALED_PREFIX = "enc:";
const VERSION_1 = "enc:v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type Opened =
  | { ok: true; text: string; keyId: string }
  /** The ring lacks the key: someone holding it can still open this. */
  | { ok: false; problem: "unknown-key"; keyId: string }
  /** Tampered, moved to where it does not belong, or not a ciphertext at all: nobody can open it. */
  | { ok: false; problem: "unauthentic"; keyId: string | undefined; detail: string };

/** Whether `text` claims to be sealed. A claim that does not open is refused, never read as plaintext. */
export function isSealed(text: string): boolean {
  return text.startsWith(SEALED_PREFIX);
}

/** The key id a sealed text names, or undefined when it is not in the version 1 form. */
export function sealedKeyId(text: string): string | undefined {
  if (!text.startsWith(VERSION_1)) return undefined;
  const end = text.indexOf(":", VERSION_1.length);
  return end > VERSION_1.length ? text.slice(VERSION_1.length, end) : undefined;
}

/** Encrypts `text` under the ring's active key. `iv` is for test vectors only. */
export function seal(ring: KeyRing, text: string, aad: string, iv = randomBytes(IV_BYTES)): string {
  // Stryker disable next-line ObjectLiteral: 16 bytes is GCM's default tag; stated for the reader
  const cipher = createCipheriv("aes-256-gcm", ring.activeKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const body = Buffer.concat([
    iv,
    cipher.update(text, "utf8"),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return `${VERSION_1}${ring.activeId}:${body.toString("base64url")}`;
}

export function open(ring: KeyRing, sealed: string, aad: string): Opened {
  const keyId = sealedKeyId(sealed);
  if (keyId === undefined) {
    return {
      ok: false,
      problem: "unauthentic",
      keyId,
      detail: "not in the enc:v1:<key id>:<data> form",
    };
  }
  const key = ring.key(keyId);
  if (!key) return { ok: false, problem: "unknown-key", keyId };
  const body = Buffer.from(sealed.slice(VERSION_1.length + keyId.length + 1), "base64url");
  if (body.length < IV_BYTES + TAG_BYTES) {
    return { ok: false, problem: "unauthentic", keyId, detail: "too short to be a ciphertext" };
  }
  // Stryker disable next-line ObjectLiteral: the tag passed is always the last 16 bytes; the option guards against a shorter one
  const decipher = createDecipheriv("aes-256-gcm", key, body.subarray(0, IV_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    const plain = Buffer.concat([
      decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return { ok: true, text: plain.toString("utf8"), keyId };
  } catch {
    return {
      ok: false,
      problem: "unauthentic",
      keyId,
      detail: "does not authenticate (altered, or copied from another record)",
    };
  }
}
