import { GUEST_EMAIL_PATTERN } from "../axelnac/guest-rules";

export type EmailReading = { ok: true; email?: string } | { ok: false; reason: string };

/** The appliance's person.email column is a varchar(255). */
const EMAIL_LIMIT = 255;

/**
 * A registration's e-mail cell: trimmed; blank means the guest gave none, which is allowed. An
 * address must pass the appliance's own check, or bulk import refuses the whole guest.
 *
 * The address is kept in the case it was written, as the appliance stores it: a mailbox's local
 * part may be case-sensitive, so lowercasing could change where mail goes. Only a pid made from
 * the address is lowercased (guest-pid.ts), because the appliance finds pids case-insensitively.
 */
export function readGuestEmail(cell: string): EmailReading {
  const email = cell.trim();
  if (email === "") return { ok: true };
  if (email.length > EMAIL_LIMIT) {
    return {
      ok: false,
      reason: `is longer than the ${EMAIL_LIMIT} characters the appliance stores`,
    };
  }
  if (!GUEST_EMAIL_PATTERN.test(email)) {
    return {
      ok: false,
      reason:
        "is not an address the appliance accepts: only ASCII letters, digits, _ . and - " +
        "on either side of the @, and a 2–6 letter top-level domain",
    };
  }
  return { ok: true, email };
}
