import { passwordAad } from "../jobs/job-password";
import { isSealed, type KeyRing, open, seal, sealedKeyId } from "../secrets";
import { isOnboardingData, onboardingKeeping, resealOnboardingJob } from "./onboarding-job-sealing";

/** Under what a stored job's password is kept: a key id, plaintext, or no password at all. */
export type PasswordKeeping = { sealedUnder: string } | "plaintext" | "no-password";

/** Reads the raw `data` field of a BullMQ job hash. */
export function passwordKeeping(rawData: string): PasswordKeeping {
  const fields = parseFields(rawData);
  if (fields && isOnboardingData(fields)) return onboardingKeeping(fields);
  const password = fields?.password;
  if (typeof password !== "string") return "no-password";
  if (!isSealed(password)) return "plaintext";
  // A malformed claim is counted under its own name, so that `keys status` shows it.
  return { sealedUnder: sealedKeyId(password) ?? "(malformed)" };
}

export type Resealing =
  | { action: "reseal"; data: string; from: string }
  | { action: "keep"; why: "active-key" | "no-password" }
  | { action: "cannot"; why: "key-missing" | "unauthentic"; keyId: string };

/**
 * The job's raw data with its password sealed under the ring's active key: an older key's
 * ciphertext (or a plaintext password) is opened and sealed again; every other field keeps the
 * value the producer gave it.
 */
export function resealJobData(rawData: string, ring: KeyRing): Resealing {
  const fields = parseFields(rawData) ?? {};
  if (isOnboardingData(fields)) return resealOnboardingJob(fields, ring);
  const { password, pid, source_id } = fields;
  if (typeof password !== "string" || typeof pid !== "string" || typeof source_id !== "string") {
    return { action: "keep", why: "no-password" };
  }
  const aad = passwordAad({ pid, source_id });
  let plaintext = password;
  let from = "plaintext";
  if (isSealed(password)) {
    const keyId = sealedKeyId(password) ?? "(malformed)";
    if (keyId === ring.activeId) return { action: "keep", why: "active-key" };
    const opened = open(ring, password, aad);
    if (!opened.ok) {
      return {
        action: "cannot",
        why: opened.problem === "unknown-key" ? "key-missing" : "unauthentic",
        keyId,
      };
    }
    plaintext = opened.text;
    from = keyId;
  }
  const data = JSON.stringify({ ...fields, password: seal(ring, plaintext, aad) });
  return { action: "reseal", data, from };
}

/** The job data's fields; anything but an object reads as having no password (`?.password`). */
function parseFields(rawData: string): Record<string, unknown> | null | undefined {
  // Stryker disable BlockStatement: an empty catch block returns undefined too (the try block's own mutant is ignored with it)
  try {
    return JSON.parse(rawData) as Record<string, unknown> | null;
  } catch {
    return undefined;
  }
  // Stryker restore BlockStatement
}
