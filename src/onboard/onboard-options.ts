import type { OnboardField } from "./known-headers";

/**
 * The choices of an onboarding, by what they are rather than how an interface spells them: the
 * command line says `--access-duration`, the HTTP API `access_duration`. The rules that check
 * them are written once (resolveOnboardChoices) and name each choice as the asker spelled it.
 */
export type OnboardOption =
  | "role"
  | "accessDuration"
  | "validFrom"
  | "expiration"
  | "applianceTimeZone"
  | "phoneRegion"
  | "pidRule"
  | "pidPrefix"
  | "passwordLength"
  | "sourceId"
  | OnboardField;

/** How one interface spells every choice, for its messages. */
export type OptionNames = Readonly<Record<OnboardOption, string>>;

/** One choice that cannot be used: which, and what is wrong, other choices named as `names` spell them. */
export interface ChoiceProblem {
  option: OnboardOption;
  message: string;
}
