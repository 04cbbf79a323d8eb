import { ONBOARD_FLAG_NAMES } from "../../src/cli/onboard-arguments";
import { loadConfig } from "../../src/config/config";
import { type OnboardChoices, resolveOnboardChoices } from "../../src/onboard/onboard-choices";
import { REGISTRATION_PARAMETERS } from "../../src/serve/routes/registration-schemas";

const now = new Date("2026-12-01T06:00:00Z");
const given: OnboardChoices = {
  columns: {},
  role: "guest",
  accessDuration: "3D",
  applianceTimeZone: "Europe/Moscow",
  phoneRegion: "ru",
  sourceId: "sms",
  resetPasswords: false,
};
const bare = loadConfig({});

describe("resolveOnboardChoices: one set of rules for the command line and the HTTP API", () => {
  it("resolves the choices into what an onboarding runs with", () => {
    const plan = resolveOnboardChoices(
      { ...given, pidRule: "email", pidPrefix: "guest-", passwordLength: "12" },
      bare,
      now,
      ONBOARD_FLAG_NAMES,
    );
    expect(plan).toEqual({
      columns: {},
      rows: { phoneRegion: "RU", pidRule: "email", pidPrefix: "guest-" },
      sourceId: "sms",
      account: {
        valid_from: "2026-12-01 09:00:00",
        expiration: "2026-12-04 09:00:00",
        actions: [
          { type: "set_role", value: "guest" },
          { type: "set_access_duration", value: "3D" },
        ],
      },
      passwordLength: 12,
      resetPasswords: false,
      guestsPerJob: 25,
    });
  });

  it("takes the phone region, time zone and SMS source from the settings when not given; a choice given wins", () => {
    const settings = loadConfig({
      ONBOARD_PHONE_REGION: "KZ",
      AXELNAC_TIME_ZONE: "Asia/Almaty",
      AXELNAC_SOURCE_ID: "sms-gw",
      ONBOARD_GUESTS_PER_JOB: "10",
    });
    const { phoneRegion: _r, applianceTimeZone: _z, sourceId: _s, ...rest } = given;
    const plan = resolveOnboardChoices(rest, settings, now, ONBOARD_FLAG_NAMES);
    expect(plan).toMatchObject({
      rows: { phoneRegion: "KZ", pidRule: "phone", pidPrefix: "" },
      sourceId: "sms-gw",
      account: { valid_from: "2026-12-01 11:00:00" },
      guestsPerJob: 10,
    });
    expect(resolveOnboardChoices(given, settings, now, ONBOARD_FLAG_NAMES)).toMatchObject({
      rows: { phoneRegion: "RU" },
      sourceId: "sms",
    });
  });

  const wrong: OnboardChoices = {
    columns: { phone: " ", email: "Почта" },
    pidRule: "badge",
    pidPrefix: "гость-",
    passwordLength: "65",
    role: "guest",
    validFrom: "2030-06-10T09:00Z",
    resetPasswords: false,
    sourceId: "s".repeat(256),
  };

  it("reports every problem at once, each by the choice at fault, other choices named as the asker spells them", () => {
    const problems = (names: typeof ONBOARD_FLAG_NAMES) => {
      const plan = resolveOnboardChoices(wrong, bare, now, names);
      return "problems" in plan
        ? plan.problems.map(({ option, message }) => `${names[option]}: ${message}`)
        : [];
    };
    const cli = problems(ONBOARD_FLAG_NAMES);
    expect(cli).toEqual([
      "--phone-column: the name is empty",
      '--pid-rule: "badge" is not phone or email',
      expect.stringMatching(/^--pid-prefix: AxelNAC accepts only/),
      '--password-length: "65" is not a whole number from 8 to 64',
      "--phone-region: is required (or the setting ONBOARD_PHONE_REGION): the country of numbers written without a code, e.g. RU",
      "--source-id: must be at most 255 characters",
      expect.stringMatching(
        /^--appliance-time-zone: is required \(or the setting AXELNAC_TIME_ZONE\)/,
      ),
    ]);
    const withZone = { ...wrong, applianceTimeZone: "Europe/Moscow" };
    const api = resolveOnboardChoices(withZone, bare, now, REGISTRATION_PARAMETERS);
    expect("problems" in api && api.problems.at(-1)).toEqual({
      option: "expiration",
      message: "is required with valid_from",
    });
    const flags = resolveOnboardChoices(withZone, bare, now, ONBOARD_FLAG_NAMES);
    expect("problems" in flags && flags.problems.at(-1)).toEqual({
      option: "expiration",
      message: "is required with --valid-from",
    });
  });
});
