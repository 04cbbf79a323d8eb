import { isBuiltInPid } from "../axelnac/guest-rules";
import { PID_PATTERN, PID_RULE } from "../jobs/job-schema";
import { quoteCell } from "./cell-quote";

/**
 * What a guest's pid (their user name on the appliance) is made of: `phone`, the E.164 number
 * without its "+" (79123456789), or `email`, the address lowercased. Either after the prefix.
 */
export type PidRule = "phone" | "email";

export interface PidOptions {
  rule: PidRule;
  /** `--pid-prefix`: put before every pid ("guest-" → guest-79123456789); empty for none. */
  prefix?: string;
}

export type PidResult = { ok: true; pid: string } | { ok: false; reason: string };

/** person.pid is a varchar(255) (docs/axelnac-api.md §7). */
const PID_LIMIT = 255;
/** Room a prefix leaves for the guest's part: an E.164 number has up to 15 digits, an address more. */
const PREFIX_LIMIT = 200;

/** The pid of a guest by the rule, or why the guest has none. */
export function guestPid(guest: { e164: string; email?: string }, options: PidOptions): PidResult {
  const prefix = options.prefix ?? "";
  let own: string;
  if (options.rule === "phone") {
    // Stryker disable next-line Regex: an E.164 number has one "+", at its start
    own = guest.e164.replace(/^\+/, "");
  } else {
    if (guest.email === undefined) {
      return { ok: false, reason: 'no e-mail address, which the pid rule "email" needs' };
    }
    // The appliance finds pids case-insensitively: Anna@… and anna@… are one guest.
    own = guest.email.toLowerCase();
  }
  const pid = `${prefix}${own}`;
  const problem = pidProblem(pid);
  return problem === undefined ? { ok: true, pid } : { ok: false, reason: problem };
}

/** Why the appliance (or the courier's delivery job) would refuse a pid; undefined when neither. */
export function pidProblem(pid: string): string | undefined {
  if (pid.length > PID_LIMIT) {
    return `the pid would be ${pid.length} characters; the appliance takes at most ${PID_LIMIT}`;
  }
  if (!PID_PATTERN.test(pid)) return `the pid ${quoteCell(pid)}: ${PID_RULE}`;
  if (isBuiltInPid(pid)) return `the pid ${quoteCell(pid)} is a built-in user of the appliance`;
  return undefined;
}

/** `--pid-prefix`, checked before any row is read; an empty prefix means none. */
export function checkPidPrefix(prefix: string): { ok: true } | { ok: false; reason: string } {
  if (prefix === "") return { ok: true };
  if (prefix.length > PREFIX_LIMIT) {
    return {
      ok: false,
      reason: `is ${prefix.length} characters; at most ${PREFIX_LIMIT}, so that a pid stays within ${PID_LIMIT}`,
    };
  }
  if (!PID_PATTERN.test(prefix)) return { ok: false, reason: PID_RULE };
  return { ok: true };
}
