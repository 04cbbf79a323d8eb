import { z } from "zod";
import { deliveryJobSchema } from "../../jobs/job-schema";
import { PASSWORD_LENGTHS } from "../../onboard/onboard-choices";
import type { OnboardOption, OptionNames } from "../../onboard/onboard-options";
import { LISTED_REJECTS, uploadQuery, uploadResult } from "./batch-schemas";

/*
 * POST /v1/registrations' query and answer. The query's choices are `onboard`'s flags, taken as
 * text: resolveOnboardChoices checks them by the command's own rules, each problem named by its
 * parameter (REGISTRATION_PARAMETERS), so the schema repeats none of those rules.
 */

const choice = (description: string) => z.string().optional().describe(description);

const column = (what: string, flag: string) =>
  choice(`The column of ${what} (default: found by its header); as \`onboard ${flag}\``);

/** `onboard`'s flags, as query parameters. */
export const registrationQuery = z.object({
  batch: deliveryJobSchema.shape.batch_id.describe(
    "The batch id (default onboard-<date>-<time>-<random>); as `onboard --batch`",
  ),
  role: choice("Required: the appliance's role the guests get"),
  access_duration: choice(
    "How long the accounts are valid from now, as the appliance writes it: 8h, 3D, 2W; " +
      "or valid_from with expiration",
  ),
  valid_from: choice("ISO 8601 with its time zone, e.g. 2030-06-10T09:00+03:00; with expiration"),
  expiration: choice("ISO 8601 with its time zone, after valid_from"),
  appliance_time_zone: choice(
    "The appliance's IANA time zone, in which it keeps validity dates (default AXELNAC_TIME_ZONE)",
  ),
  phone_region: choice(
    "The country of numbers written without a code, e.g. RU (default ONBOARD_PHONE_REGION)",
  ),
  pid_rule: choice("phone (default): the number without its +; email: the address in lower case"),
  pid_prefix: choice("Put before every user name (pid), e.g. guest-"),
  source_id: choice("The SMS source the credentials go out through (default AXELNAC_SOURCE_ID)"),
  password_length: choice(
    `The courier makes each password, this long (${PASSWORD_LENGTHS.min} to ` +
      `${PASSWORD_LENGTHS.max}); absent, the appliance makes them`,
  ),
  reset_passwords: z
    .enum(["true", "false"])
    .optional()
    .describe("true: guests who exist already get a new password, and it is sent"),
  name_column: column("the full name", "--name-column"),
  first_name_column: column("the first name", "--first-name-column"),
  last_name_column: column("the last name", "--last-name-column"),
  email_column: column("the e-mail address", "--email-column"),
  phone_column: column("the phone number", "--phone-column"),
  company_column: column("the company", "--company-column"),
  delimiter: uploadQuery.shape.delimiter,
  encoding: uploadQuery.shape.encoding,
});

export type RegistrationQuery = z.output<typeof registrationQuery>;

/** Every onboarding choice, as its query parameter: the resolver's messages name them so. */
export const REGISTRATION_PARAMETERS = {
  role: "role",
  accessDuration: "access_duration",
  validFrom: "valid_from",
  expiration: "expiration",
  applianceTimeZone: "appliance_time_zone",
  phoneRegion: "phone_region",
  pidRule: "pid_rule",
  pidPrefix: "pid_prefix",
  passwordLength: "password_length",
  sourceId: "source_id",
  fullName: "name_column",
  firstName: "first_name_column",
  lastName: "last_name_column",
  email: "email_column",
  phone: "phone_column",
  company: "company_column",
} as const satisfies Record<OnboardOption, keyof RegistrationQuery> & OptionNames;

/** As POST /v1/batches answers, the counts being the onboarding's. */
export const registrationResult = uploadResult.extend({
  enqueued: z.number().int().describe("Guests queued: the workers create their accounts, then SMS"),
  duplicates: z
    .number()
    .int()
    .describe("Always 0: the same person twice is a rejected row that names the first"),
  rejected: z
    .array(
      z.object({
        line: z.number().int().describe("The file line, as an editor or a spreadsheet shows it"),
        reason: z.string().describe("As `onboard` says it: the cell at fault, never a password"),
      }),
    )
    .describe(`The first ${LISTED_REJECTS} rejected rows, in file order`),
});

export type RegistrationResult = z.output<typeof registrationResult>;
