import {
  accessDurationSeconds,
  checkTimeZone,
  formatApplianceTime,
  parseOffsetDateTime,
} from "./appliance-time";
import type { ChoiceProblem, OnboardOption, OptionNames } from "./onboard-options";

/** The validity every guest of one onboarding gets, as the onboarding's choices give it. */
export interface AccountOptions {
  /** The appliance's role the guests get. */
  role?: string;
  /** How long from now, as the appliance writes it ("8h", "3D"). */
  accessDuration?: string;
  /** ISO 8601 with an offset, instead of a duration. */
  validFrom?: string;
  expiration?: string;
  /** The appliance's IANA time zone, in which its database keeps times. */
  timeZone: string;
  now: Date;
}

export type GuestAction = { type: "set_role" | "set_access_duration"; value: string };

/** The validity fields of a bulk_import item, exactly as the item carries them. */
export interface AccountSettings {
  valid_from: string;
  expiration: string;
  actions: GuestAction[];
}

/** One option that cannot be used, as the message names it, with what is wrong. */
export interface OptionProblem {
  option: string;
  message: string;
}

export type AccountCheck =
  | { ok: true; settings: AccountSettings }
  | { ok: false; problems: ChoiceProblem[] };

/** The appliance's roles are names of up to 255 characters. */
const ROLE_LIMIT = 255;
/** After this instant the appliance's DATETIME columns (to 9999-12-31) cannot hold a time. */
const LAST_MS = Date.UTC(9999, 11, 31);
const LAST_DAY = "(9999-12-31)";

/**
 * The validity of the guests' accounts, checked before any row is read, every problem at once.
 * An access duration starts now: the appliance reads an account without an expiration as
 * expired (lib/pf/password.pm `validate_password`), so both ends are written, and the
 * set_access_duration action carries the duration too.
 */
export function checkAccountSettings(options: AccountOptions, names: OptionNames): AccountCheck {
  const problems: ChoiceProblem[] = [];
  const problem = (option: OnboardOption, message: string) => problems.push({ option, message });
  const role = options.role?.trim() ?? "";
  if (role === "") problem("role", "is required: the role the guests get on the appliance");
  else if (role.length > ROLE_LIMIT) {
    problem("role", `is ${role.length} characters; the appliance takes at most ${ROLE_LIMIT}`);
  }
  const period = validity(options, names);
  if (Array.isArray(period)) problems.push(...period);
  const zoneProblem = checkTimeZone(options.timeZone);
  if (zoneProblem !== undefined) problem("applianceTimeZone", zoneProblem);
  if (problems.length > 0 || Array.isArray(period)) return { ok: false, problems };
  const actions: GuestAction[] = [{ type: "set_role", value: role }];
  if (period.duration !== undefined) {
    actions.push({ type: "set_access_duration", value: period.duration });
  }
  return {
    ok: true,
    settings: {
      valid_from: formatApplianceTime(period.from, options.timeZone),
      expiration: formatApplianceTime(period.until, options.timeZone),
      actions,
    },
  };
}

interface Validity {
  from: number;
  until: number;
  duration?: string;
}

const refuse = (option: OnboardOption, message: string): ChoiceProblem[] => [{ option, message }];

/** The period the accounts are valid, from either form of the options, or what is wrong. */
function validity(options: AccountOptions, names: OptionNames): Validity | ChoiceProblem[] {
  const { accessDuration, validFrom, expiration } = options;
  const now = options.now.getTime();
  if (accessDuration !== undefined) {
    if (validFrom !== undefined || expiration !== undefined) {
      return refuse(
        "accessDuration",
        `give either ${names.accessDuration} or ${names.validFrom} with ${names.expiration}, not both`,
      );
    }
    const duration = accessDurationSeconds(accessDuration);
    if (!duration.ok) return refuse("accessDuration", duration.message);
    const until = now + duration.seconds * 1000;
    // Negated, so that a duration too long to count (Infinity, NaN) is refused as well.
    if (!(until < LAST_MS)) {
      return refuse("accessDuration", `ends later than the appliance can store ${LAST_DAY}`);
    }
    return { from: now, until, duration: accessDuration };
  }
  if (validFrom === undefined && expiration === undefined) {
    return refuse(
      "accessDuration",
      `is required, unless ${names.validFrom} and ${names.expiration} are given`,
    );
  }
  if (expiration === undefined) return refuse("expiration", `is required with ${names.validFrom}`);
  if (validFrom === undefined) return refuse("validFrom", `is required with ${names.expiration}`);
  const from = parseOffsetDateTime(validFrom);
  const until = parseOffsetDateTime(expiration);
  if (!from.ok || !until.ok) {
    return [
      ...(from.ok ? [] : refuse("validFrom", from.message)),
      ...(until.ok ? [] : refuse("expiration", until.message)),
    ];
  }
  if (until.ms <= from.ms) return refuse("expiration", `must be after ${names.validFrom}`);
  if (until.ms <= now) return refuse("expiration", "is already past");
  if (until.ms >= LAST_MS) {
    return refuse("expiration", `is later than the appliance can store ${LAST_DAY}`);
  }
  return { from: from.ms, until: until.ms };
}
