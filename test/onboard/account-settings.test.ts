import { ONBOARD_FLAG_NAMES } from "../../src/cli/onboard-arguments";
import { type AccountOptions, checkAccountSettings } from "../../src/onboard/account-settings";

const now = new Date("2026-12-01T06:00:00.400Z");
const base = { role: "guest", timeZone: "Europe/Moscow", now };
/** As the command line says it: each problem by its flag, other flags named in the messages. */
const settings = (options: Partial<AccountOptions>) => {
  const checked = checkAccountSettings({ ...base, ...options }, ONBOARD_FLAG_NAMES);
  if (checked.ok) return checked;
  const problems = checked.problems.map(({ option, message }) => ({
    option: ONBOARD_FLAG_NAMES[option],
    message,
  }));
  return { ok: false as const, problems };
};

describe("checkAccountSettings", () => {
  it("gives an access duration a start now and an end, both in the appliance's time", () => {
    expect(settings({ accessDuration: "3D" })).toEqual({
      ok: true,
      settings: {
        valid_from: "2026-12-01 09:00:00",
        expiration: "2026-12-04 09:00:00",
        actions: [
          { type: "set_role", value: "guest" },
          { type: "set_access_duration", value: "3D" },
        ],
      },
    });
  });

  it("counts a month as 30 days, as the appliance does", () => {
    const result = settings({ accessDuration: "1M", timeZone: "UTC" });
    expect(result.ok && result.settings.expiration).toBe("2026-12-31 06:00:00");
  });

  it("writes a validity period in the appliance's time", () => {
    expect(
      settings({
        role: " Event-Guests ",
        validFrom: "2030-06-10T09:00+03:00",
        expiration: "2030-06-12T18:00Z",
        timeZone: "Asia/Yekaterinburg",
      }),
    ).toEqual({
      ok: true,
      settings: {
        valid_from: "2030-06-10 11:00:00",
        expiration: "2030-06-12 23:00:00",
        actions: [{ type: "set_role", value: "Event-Guests" }],
      },
    });
  });

  it("takes a validity period that started already, while it has not ended", () => {
    const result = settings({ validFrom: "2026-11-01T00:00Z", expiration: "2026-12-01T06:00:01Z" });
    expect(result.ok).toBe(true);
  });

  it.each<[Partial<AccountOptions>, { option: string; message: string }[]]>([
    [
      { role: undefined, accessDuration: "1D" },
      [{ option: "--role", message: "is required: the role the guests get on the appliance" }],
    ],
    [
      { role: "  ", accessDuration: "1D" },
      [{ option: "--role", message: "is required: the role the guests get on the appliance" }],
    ],
    [
      { role: "r".repeat(256), accessDuration: "1D" },
      [{ option: "--role", message: "is 256 characters; the appliance takes at most 255" }],
    ],
    [
      {},
      [
        {
          option: "--access-duration",
          message: "is required, unless --valid-from and --expiration are given",
        },
      ],
    ],
    [
      { accessDuration: "1D", validFrom: "2030-06-10T09:00Z" },
      [
        {
          option: "--access-duration",
          message: "give either --access-duration or --valid-from with --expiration, not both",
        },
      ],
    ],
    [
      { accessDuration: "1D", expiration: "2030-06-10T09:00Z" },
      [
        {
          option: "--access-duration",
          message: "give either --access-duration or --valid-from with --expiration, not both",
        },
      ],
    ],
    [
      { validFrom: "2030-06-10T09:00Z" },
      [{ option: "--expiration", message: "is required with --valid-from" }],
    ],
    [
      { expiration: "2030-06-10T09:00Z" },
      [{ option: "--valid-from", message: "is required with --expiration" }],
    ],
    [{ accessDuration: "0D" }, [{ option: "--access-duration", message: "must be at least 1" }]],
    [
      { validFrom: "2030-06-10T09:00", expiration: "2030-06-11 09:00" },
      [
        {
          option: "--valid-from",
          message: "needs a time zone: end it with Z or an offset such as +03:00",
        },
        {
          option: "--expiration",
          message: "needs a time zone: end it with Z or an offset such as +03:00",
        },
      ],
    ],
    [
      { validFrom: "2030-06-10T09:00+03:00", expiration: "2030-06-10T06:00Z" },
      [{ option: "--expiration", message: "must be after --valid-from" }],
    ],
    [
      { validFrom: "2026-11-10T09:00Z", expiration: "2026-12-01T06:00:00Z" },
      [{ option: "--expiration", message: "is already past" }],
    ],
    [
      { accessDuration: "8000Y" },
      [
        {
          option: "--access-duration",
          message: "ends later than the appliance can store (9999-12-31)",
        },
      ],
    ],
    [
      { accessDuration: `${"9".repeat(400)}s` },
      [
        {
          option: "--access-duration",
          message: "ends later than the appliance can store (9999-12-31)",
        },
      ],
    ],
    [
      { validFrom: "2030-06-10T09:00Z", expiration: "9999-12-31T00:00Z" },
      [{ option: "--expiration", message: "is later than the appliance can store (9999-12-31)" }],
    ],
    [
      { accessDuration: "1D", timeZone: "Europe/Moskva" },
      [
        {
          option: "--appliance-time-zone",
          message:
            '"Europe/Moskva" is not a time zone this system knows; give an IANA name such as Europe/Moscow',
        },
      ],
    ],
    [
      { role: "", accessDuration: "1d", timeZone: "nowhere" },
      [
        { option: "--role", message: "is required: the role the guests get on the appliance" },
        {
          option: "--access-duration",
          message:
            "must be a whole number followed by s, m, h, D, W, M or Y (minutes, hours, days, " +
            "weeks, 30-day months, 365-day years), such as 8h or 3D",
        },
        {
          option: "--appliance-time-zone",
          message:
            '"nowhere" is not a time zone this system knows; give an IANA name such as Europe/Moscow',
        },
      ],
    ],
  ])("refuses %j, naming the option", (options, problems) => {
    expect(settings(options)).toEqual({ ok: false, problems });
  });

  it("takes the last day the appliance can store", () => {
    const result = settings({ validFrom: "2030-06-10T09:00Z", expiration: "9999-12-30T23:59Z" });
    expect(result.ok && result.settings.expiration).toBe("9999-12-31 02:59:00");
    expect(settings({ accessDuration: "7000Y" }).ok).toBe(true);
  });
});
