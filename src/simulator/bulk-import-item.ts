import { BUILT_IN_PIDS, GUEST_EMAIL_PATTERN } from "../axelnac/guest-rules";

/**
 * What PacketFence's users bulk import refuses in an item, as
 * lib/pf/UnifiedApi/Controller/Users.pm (`import_item_check_for_errors`) checks it
 * (docs/axelnac-api.md §9). Perl's rules are kept, odd ones included: the pid pattern is applied
 * unanchored (one allowed character suffices), a pid of "0" is false and skips the checks, and the
 * e-mail pattern's `[A-z]` also admits the six characters between Z and a.
 */

export interface ItemError {
  field: string;
  message: string;
}

/** lib/pf/person.pm `$PID_RE`, used unanchored. */
const PID_CHARACTER = /[a-zA-Z0-9\-_.@/\\]/;

export function importItemErrors(item: Readonly<Record<string, unknown>>): ItemError[] {
  const errors: ItemError[] = [];
  const pid = perlString(item.pid);
  if (pid === undefined || pid === "") errors.push({ field: "pid", message: "Missing pid" });
  if (isPerlTrue(pid)) {
    if (!PID_CHARACTER.test(pid)) errors.push({ field: "pid", message: `Invalid PID (${pid})` });
    // Exactly, as Perl's `eq` compares: "Admin" passes here (the courier refuses it).
    if (BUILT_IN_PIDS.includes(pid)) {
      errors.push({ field: "pid", message: `${pid} cannot be updated via bulk import` });
    }
  }
  const email = perlString(item.email);
  if (isPerlTrue(email) && !GUEST_EMAIL_PATTERN.test(email)) {
    errors.push({ field: "email", message: "invalid format" });
  }
  return errors;
}

/** A JSON scalar as Perl sees it in string context; undefined for null, absent or a structure. */
export function perlString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "1" : "0";
  return undefined;
}

/** Perl's truth for a string: everything but the empty string and "0". */
export function isPerlTrue(text: string | undefined): text is string {
  return text !== undefined && text !== "" && text !== "0";
}
