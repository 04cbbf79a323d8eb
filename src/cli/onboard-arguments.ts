import { parseArgs } from "node:util";
import type { Config } from "../config/config";
import type { CsvReadOptions } from "../import/csv";
import { type AccountSettings, checkAccountSettings } from "../onboard/account-settings";
import type { PidRule } from "../onboard/guest-pid";
import { checkPidPrefix } from "../onboard/guest-pid";
import { checkPhoneRegion, type PhoneRegion } from "../onboard/phone-number";
import { ONBOARD_COLUMN_FLAGS, type OnboardColumnNames } from "../onboard/registration-columns";
import { type CommandLine, UsageError } from "./command";
import { readFileArguments } from "./file-arguments";
import { ONBOARD_USAGE } from "./onboard-messages";

const FLAGS = {
  delimiter: { type: "string" },
  encoding: { type: "string" },
  "name-column": { type: "string" },
  "first-name-column": { type: "string" },
  "last-name-column": { type: "string" },
  "email-column": { type: "string" },
  "phone-column": { type: "string" },
  "company-column": { type: "string" },
  "phone-region": { type: "string" },
  "pid-rule": { type: "string" },
  "pid-prefix": { type: "string" },
  role: { type: "string" },
  "access-duration": { type: "string" },
  "valid-from": { type: "string" },
  expiration: { type: "string" },
  "appliance-time-zone": { type: "string" },
  "password-length": { type: "string" },
  "reset-passwords": { type: "boolean" },
  "source-id": { type: "string" },
  batch: { type: "string" },
  rejects: { type: "string" },
  "dry-run": { type: "boolean" },
  help: { type: "boolean" },
} as const;

/** The flags as given: settings from the environment are applied by `resolveOnboardRequest`. */
export interface OnboardFlags {
  file: string;
  csv: CsvReadOptions;
  columns: OnboardColumnNames;
  phoneRegion: string | undefined;
  pidRule: PidRule;
  pidPrefix: string;
  role: string | undefined;
  accessDuration: string | undefined;
  validFrom: string | undefined;
  expiration: string | undefined;
  applianceTimeZone: string | undefined;
  passwordLength: number | undefined;
  resetPasswords: boolean;
  sourceId: string | undefined;
  batch: string | undefined;
  rejects: string | undefined;
  dryRun: boolean;
}

/** What `axelnac-courier onboard` was asked to do, every setting resolved and checked. */
export interface OnboardRequest extends OnboardFlags {
  phoneRegion: PhoneRegion;
  sourceId: string;
  account: AccountSettings;
  guestsPerJob: number;
}

export const ONBOARD_COMMAND_LINE: CommandLine<OnboardFlags> = {
  usage: ONBOARD_USAGE,
  prefix: "onboard: ",
  blankLine: true,
  parse: parseFlags,
};

const COLUMN_OPTIONS: Readonly<Record<keyof typeof ONBOARD_COLUMN_FLAGS, keyof typeof FLAGS>> = {
  fullName: "name-column",
  firstName: "first-name-column",
  lastName: "last-name-column",
  email: "email-column",
  phone: "phone-column",
  company: "company-column",
};

/** Shortest and longest password `--password-length` may ask for. */
export const PASSWORD_LENGTHS = { min: 8, max: 64 } as const;

function parseFlags(argv: string[]): OnboardFlags | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    options: FLAGS,
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return "help";
  const { file, csv } = readFileArguments(positionals, values);
  const columns: OnboardColumnNames = {};
  for (const [field, option] of Object.entries(COLUMN_OPTIONS) as [
    keyof OnboardColumnNames,
    keyof typeof FLAGS,
  ][]) {
    const name = values[option];
    if (typeof name !== "string") continue;
    if (name.trim() === "")
      throw new UsageError(`${ONBOARD_COLUMN_FLAGS[field]}: the name is empty`);
    columns[field] = name;
  }
  const pidRule = values["pid-rule"] ?? "phone";
  if (pidRule !== "phone" && pidRule !== "email") {
    throw new UsageError(`--pid-rule: "${pidRule}" is not phone or email`);
  }
  const pidPrefix = values["pid-prefix"] ?? "";
  if (pidPrefix !== "") {
    const prefix = checkPidPrefix(pidPrefix);
    if (!prefix.ok) throw new UsageError(`--pid-prefix: ${prefix.reason}`);
  }
  return {
    file,
    csv,
    columns,
    phoneRegion: values["phone-region"],
    pidRule,
    pidPrefix,
    role: values.role,
    accessDuration: values["access-duration"],
    validFrom: values["valid-from"],
    expiration: values.expiration,
    applianceTimeZone: values["appliance-time-zone"],
    passwordLength: parsePasswordLength(values["password-length"]),
    resetPasswords: values["reset-passwords"] ?? false,
    sourceId: values["source-id"],
    batch: values.batch,
    rejects: values.rejects,
    dryRun: values["dry-run"] ?? false,
  };
}

function parsePasswordLength(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const length = Number(text);
  if (!/^\d+$/.test(text) || length < PASSWORD_LENGTHS.min || length > PASSWORD_LENGTHS.max) {
    throw new UsageError(
      `--password-length: "${text}" is not a whole number from ${PASSWORD_LENGTHS.min} to ${PASSWORD_LENGTHS.max}`,
    );
  }
  return length;
}

/**
 * The flags completed by the environment (flags win) and checked together: every problem is
 * reported at once, each naming its flag and variable, before the file is opened.
 */
export function resolveOnboardRequest(
  flags: OnboardFlags,
  config: Config,
  now: Date,
): OnboardRequest | { problems: string[] } {
  const problems: string[] = [];
  const regionText = flags.phoneRegion ?? config.onboarding.phoneRegion;
  let phoneRegion: PhoneRegion | undefined;
  if (regionText === undefined) {
    problems.push(
      "the country of numbers written without a code is required: --phone-region or ONBOARD_PHONE_REGION (e.g. RU)",
    );
  } else {
    const region = checkPhoneRegion(regionText);
    if (region.ok) phoneRegion = region.region;
    else problems.push(`--phone-region: ${region.reason}`);
  }
  const sourceId = flags.sourceId ?? config.producer.defaultSourceId;
  if (sourceId === undefined || sourceId.trim() === "") {
    problems.push(
      "the SMS source the credentials go out through is required: --source-id or AXELNAC_SOURCE_ID",
    );
  }
  const timeZone = flags.applianceTimeZone ?? config.onboarding.applianceTimeZone;
  let account: AccountSettings | undefined;
  if (timeZone === undefined) {
    problems.push(
      "the appliance's time zone is required, since it keeps validity dates in its local time: --appliance-time-zone or AXELNAC_TIME_ZONE (e.g. Europe/Moscow)",
    );
  } else {
    const checked = checkAccountSettings({
      ...(flags.role === undefined ? {} : { role: flags.role }),
      ...(flags.accessDuration === undefined ? {} : { accessDuration: flags.accessDuration }),
      ...(flags.validFrom === undefined ? {} : { validFrom: flags.validFrom }),
      ...(flags.expiration === undefined ? {} : { expiration: flags.expiration }),
      timeZone,
      now,
    });
    if (checked.ok) account = checked.settings;
    else for (const { option, message } of checked.problems) problems.push(`${option}: ${message}`);
  }
  if (problems.length > 0 || !phoneRegion || !account || sourceId === undefined) {
    return { problems };
  }
  return {
    ...flags,
    phoneRegion,
    sourceId,
    account,
    guestsPerJob: config.onboarding.guestsPerJob,
  };
}
