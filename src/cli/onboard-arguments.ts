import { parseArgs } from "node:util";
import type { Config } from "../config/config";
import type { CsvReadOptions } from "../import/csv";
import { escapeControls } from "../logging/terminal-text";
import {
  type OnboardChoices,
  type OnboardPlan,
  resolveOnboardChoices,
} from "../onboard/onboard-choices";
import type { OptionNames } from "../onboard/onboard-options";
import { ONBOARD_COLUMN_FLAGS, type OnboardColumnNames } from "../onboard/registration-columns";
import type { CommandLine } from "./command";
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

/** Every onboarding choice, as its flag: the resolver's messages name them so. */
export const ONBOARD_FLAG_NAMES: OptionNames = {
  role: "--role",
  accessDuration: "--access-duration",
  validFrom: "--valid-from",
  expiration: "--expiration",
  applianceTimeZone: "--appliance-time-zone",
  phoneRegion: "--phone-region",
  pidRule: "--pid-rule",
  pidPrefix: "--pid-prefix",
  passwordLength: "--password-length",
  sourceId: "--source-id",
  ...ONBOARD_COLUMN_FLAGS,
};

/** The flags as given: settings from the environment are applied by `resolveOnboardRequest`. */
export interface OnboardFlags extends OnboardChoices {
  file: string;
  csv: CsvReadOptions;
  batch: string | undefined;
  rejects: string | undefined;
  dryRun: boolean;
}

/** What `axelnac-courier onboard` was asked to do, every setting resolved and checked. */
export interface OnboardRequest extends OnboardPlan {
  file: string;
  csv: CsvReadOptions;
  batch: string | undefined;
  rejects: string | undefined;
  dryRun: boolean;
}

export const ONBOARD_COMMAND_LINE: CommandLine<OnboardFlags> = {
  usage: ONBOARD_USAGE,
  prefix: "onboard: ",
  blankLine: true,
  parse: parseFlags,
};

/** The flag of each column override, by the field it names the column of. */
const COLUMN_OPTIONS = {
  fullName: "name-column",
  firstName: "first-name-column",
  lastName: "last-name-column",
  email: "email-column",
  phone: "phone-column",
  company: "company-column",
} as const satisfies Record<keyof OnboardColumnNames, keyof typeof FLAGS>;

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
    if (typeof name === "string") columns[field] = name;
  }
  return {
    file,
    csv,
    columns,
    phoneRegion: values["phone-region"],
    pidRule: values["pid-rule"],
    pidPrefix: values["pid-prefix"],
    role: values.role,
    accessDuration: values["access-duration"],
    validFrom: values["valid-from"],
    expiration: values.expiration,
    applianceTimeZone: values["appliance-time-zone"],
    passwordLength: values["password-length"],
    resetPasswords: values["reset-passwords"] ?? false,
    sourceId: values["source-id"],
    batch: values.batch,
    rejects: values.rejects,
    dryRun: values["dry-run"] ?? false,
  };
}

/**
 * The flags completed by the environment (flags win) and checked together by the rules every
 * onboarding goes through: every problem is reported at once, each naming its flag and
 * variable, before the file is opened.
 */
export function resolveOnboardRequest(
  flags: OnboardFlags,
  config: Config,
  now: Date,
): OnboardRequest | { problems: string[] } {
  const plan = resolveOnboardChoices(flags, config, now, ONBOARD_FLAG_NAMES);
  if ("problems" in plan) {
    return {
      problems: plan.problems.map(
        ({ option, message }) => `${ONBOARD_FLAG_NAMES[option]}: ${escapeControls(message)}`,
      ),
    };
  }
  const { file, csv, batch, rejects, dryRun } = flags;
  return { ...plan, file, csv, batch, rejects, dryRun };
}
