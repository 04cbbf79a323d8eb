import {
  guestAccountsJobSchema,
  readGuestAccountsJob,
  sealAccountPasswords,
} from "../jobs/guest-accounts-job";
import { isSealed, type KeyRing, sealedKeyId } from "../secrets";
import type { PasswordKeeping, Resealing } from "./job-data-sealing";

/** Whether a job's data is an onboarding job's (a group of guests), not a delivery's. */
export function isOnboardingData(fields: Record<string, unknown>): boolean {
  return Array.isArray(fields.guests);
}

/** Every password an onboarding job holds: its guests' (the courier's own) and the recorded ones. */
function passwordsOf(fields: Record<string, unknown>): string[] {
  const parsed = guestAccountsJobSchema.safeParse(fields);
  if (!parsed.success) return [];
  const { guests, results = {} } = parsed.data;
  return [
    ...guests.flatMap((guest) => (guest.password === undefined ? [] : [guest.password])),
    ...Object.values(results).flatMap((result) => ("password" in result ? [result.password] : [])),
  ];
}

/** An onboarding job is counted as plaintext if any password is, else under its first key. */
export function onboardingKeeping(fields: Record<string, unknown>): PasswordKeeping {
  const passwords = passwordsOf(fields);
  if (passwords.length === 0) return "no-password";
  if (passwords.some((password) => !isSealed(password))) return "plaintext";
  return { sealedUnder: sealedKeyId(passwords[0] as string) ?? "(malformed)" };
}

/** Every password of the job opened and sealed again under the active key. */
export function resealOnboardingJob(fields: Record<string, unknown>, ring: KeyRing): Resealing {
  const passwords = passwordsOf(fields);
  if (passwords.length === 0) return { action: "keep", why: "no-password" };
  const older = passwords.find((password) => sealedKeyId(password) !== ring.activeId);
  if (older === undefined) return { action: "keep", why: "active-key" };
  const from = isSealed(older) ? (sealedKeyId(older) ?? "(malformed)") : "plaintext";
  const reading = readGuestAccountsJob(fields, { ring, plaintextRefused: false });
  if (!reading.ok) {
    return reading.problem === "unknown-key"
      ? { action: "cannot", why: "key-missing", keyId: reading.keyId }
      : { action: "cannot", why: "unauthentic", keyId: from };
  }
  return { action: "reseal", data: JSON.stringify(sealAccountPasswords(reading.job, ring)), from };
}
