import type { Config } from "../config/config";
import { deliveryJobSchema } from "../jobs/job-schema";
import { type AccountSettings, checkAccountSettings } from "./account-settings";
import { checkPidPrefix, type PidRule } from "./guest-pid";
import { ONBOARD_FIELDS } from "./known-headers";
import type { ChoiceProblem, OnboardOption, OptionNames } from "./onboard-options";
import { checkPhoneRegion } from "./phone-number";
import type { OnboardColumnNames } from "./registration-columns";
import type { GuestRowOptions } from "./registration-guest";

/**
 * An onboarding's choices as the asker gave them, text as typed (a flag, a query parameter);
 * absent, a setting of the environment applies where there is one.
 */
export interface OnboardChoices {
  columns: OnboardColumnNames;
  phoneRegion?: string | undefined;
  pidRule?: string | undefined;
  pidPrefix?: string | undefined;
  role?: string | undefined;
  accessDuration?: string | undefined;
  validFrom?: string | undefined;
  expiration?: string | undefined;
  applianceTimeZone?: string | undefined;
  passwordLength?: string | undefined;
  resetPasswords: boolean;
  sourceId?: string | undefined;
}

/** The choices resolved and checked: what openOnboarding takes besides the file and the batch. */
export interface OnboardPlan {
  columns: OnboardColumnNames;
  rows: GuestRowOptions;
  sourceId: string;
  account: AccountSettings;
  /** The courier makes each guest's password, this long; absent, the appliance does. */
  passwordLength: number | undefined;
  resetPasswords: boolean;
  guestsPerJob: number;
}

/** Shortest and longest password the courier may be asked to make. */
export const PASSWORD_LENGTHS = { min: 8, max: 64 } as const;

const PID_RULES: readonly PidRule[] = ["phone", "email"];

/**
 * The choices completed by the environment (a choice given wins) and checked together: every
 * problem at once, each naming its choice as `names` spell them, before the file is read.
 */
export function resolveOnboardChoices(
  choices: OnboardChoices,
  config: Pick<Config, "onboarding" | "producer">,
  now: Date,
  names: OptionNames,
): OnboardPlan | { problems: ChoiceProblem[] } {
  const problems: ChoiceProblem[] = [];
  const problem = (option: OnboardOption, message: string) => problems.push({ option, message });
  for (const field of ONBOARD_FIELDS) {
    if (choices.columns[field]?.trim() === "") problem(field, "the name is empty");
  }
  const pidRule = (choices.pidRule ?? "phone") as PidRule;
  if (!PID_RULES.includes(pidRule)) problem("pidRule", `"${pidRule}" is not phone or email`);
  const pidPrefix = choices.pidPrefix ?? "";
  const prefix = checkPidPrefix(pidPrefix);
  if (!prefix.ok) problem("pidPrefix", prefix.reason);
  const passwordLength = readPasswordLength(choices.passwordLength);
  if (passwordLength === null) {
    problem(
      "passwordLength",
      `"${choices.passwordLength}" is not a whole number from ${PASSWORD_LENGTHS.min} to ${PASSWORD_LENGTHS.max}`,
    );
  }
  const regionText = choices.phoneRegion ?? config.onboarding.phoneRegion;
  let phoneRegion: GuestRowOptions["phoneRegion"] | undefined;
  if (regionText === undefined) {
    problem(
      "phoneRegion",
      "is required (or the setting ONBOARD_PHONE_REGION): the country of numbers written without a code, e.g. RU",
    );
  } else {
    const region = checkPhoneRegion(regionText);
    if (region.ok) phoneRegion = region.region;
    else problem("phoneRegion", region.reason);
  }
  const sourceId = choices.sourceId ?? config.producer.defaultSourceId;
  if (sourceId === undefined || sourceId.trim() === "") {
    problem(
      "sourceId",
      "is required (or the setting AXELNAC_SOURCE_ID): the SMS source the credentials go out through",
    );
  } else {
    // The guests' SMS are delivery jobs: a source they cannot carry is refused now, not by the worker.
    const checked = deliveryJobSchema.shape.source_id.safeParse(sourceId);
    if (!checked.success) problem("sourceId", checked.error.issues[0]?.message ?? "is not valid");
  }
  const timeZone = choices.applianceTimeZone ?? config.onboarding.applianceTimeZone;
  let account: AccountSettings | undefined;
  if (timeZone === undefined) {
    problem(
      "applianceTimeZone",
      "is required (or the setting AXELNAC_TIME_ZONE), since the appliance keeps validity dates in its local time: e.g. Europe/Moscow",
    );
  } else {
    const checked = checkAccountSettings({ ...accountChoices(choices), timeZone, now }, names);
    if (checked.ok) account = checked.settings;
    else problems.push(...checked.problems);
  }
  if (problems.length > 0 || !phoneRegion || !account || sourceId === undefined) {
    return { problems };
  }
  return {
    columns: choices.columns,
    rows: { phoneRegion, pidRule, pidPrefix },
    sourceId,
    account,
    passwordLength: passwordLength ?? undefined,
    resetPasswords: choices.resetPasswords,
    guestsPerJob: config.onboarding.guestsPerJob,
  };
}

/** The account's choices that were given (an absent one stays absent, not undefined). */
function accountChoices({ role, accessDuration, validFrom, expiration }: OnboardChoices) {
  return {
    ...(role === undefined ? {} : { role }),
    ...(accessDuration === undefined ? {} : { accessDuration }),
    ...(validFrom === undefined ? {} : { validFrom }),
    ...(expiration === undefined ? {} : { expiration }),
  };
}

/** The length asked for, undefined when none was, null when it is not one. */
function readPasswordLength(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  const length = Number(text);
  if (!/^\d+$/.test(text) || length < PASSWORD_LENGTHS.min || length > PASSWORD_LENGTHS.max) {
    return null;
  }
  return length;
}
