import {
  accessDurationSeconds,
  checkTimeZone,
  formatApplianceTime,
  parseOffsetDateTime,
} from "../../src/onboard/appliance-time";

describe("parseOffsetDateTime", () => {
  it.each([
    ["2026-12-10T09:00+03:00", "2026-12-10T06:00:00.000Z"],
    ["2026-12-10T09:00:30+03:00", "2026-12-10T06:00:30.000Z"],
    ["2026-12-10T06:00Z", "2026-12-10T06:00:00.000Z"],
    ["2026-12-10 06:00Z", "2026-12-10T06:00:00.000Z"],
    ["2026-12-10T01:30-04:30", "2026-12-10T06:00:00.000Z"],
    ["2026-12-10T09:00+0300", "2026-12-10T06:00:00.000Z"],
    [" 2024-02-29T23:59:59+00:00 ", "2024-02-29T23:59:59.000Z"],
    ["2026-01-01T00:00+14:00", "2025-12-31T10:00:00.000Z"],
  ])("reads %j as the instant %s", (text, iso) => {
    expect(parseOffsetDateTime(text)).toEqual({ ok: true, ms: Date.parse(iso) });
  });

  it.each(["2026-12-10T09:00", "2026-12-10T09:00:00", "2026-12-10 09:00"])(
    "asks for the time zone %j lacks",
    (text) => {
      expect(parseOffsetDateTime(text)).toEqual({
        ok: false,
        message: "needs a time zone: end it with Z or an offset such as +03:00",
      });
    },
  );

  it.each([
    "",
    "tomorrow",
    "2026-12-10",
    "10.12.2026 09:00+03:00",
    "2026-12-10T9:00+03:00",
    "2026-12-10T09:00+3",
    "2026-12-10T09:00:00.5Z",
    "x2026-12-10T09:00Z",
    "2026-12-10T09:00Zx",
  ])("refuses %j, which is no date and time", (text) => {
    expect(parseOffsetDateTime(text)).toEqual({
      ok: false,
      message: "must be a date and time with its offset, such as 2026-12-10T09:00+03:00",
    });
  });

  it.each([
    "2026-02-29T09:00Z",
    "2026-04-31T09:00Z",
    "2026-13-01T09:00Z",
    "2026-00-10T09:00Z",
    "2026-12-00T09:00Z",
    "2026-12-10T24:00Z",
    "2026-12-10T09:60Z",
    "2026-12-10T09:00:60Z",
    "2026-12-10T09:00+15:00",
    "2026-12-10T09:00+03:60",
    "0050-01-01T00:00Z",
  ])("refuses %j, a day or time that does not exist", (text) => {
    expect(parseOffsetDateTime(text)).toEqual({
      ok: false,
      message: "has no such day, time or offset",
    });
  });

  it("takes the last moments of a day, a month and a year", () => {
    expect(parseOffsetDateTime("2026-12-31T23:59:59-14:00")).toEqual({
      ok: true,
      ms: Date.parse("2027-01-01T13:59:59Z"),
    });
    expect(parseOffsetDateTime("2026-01-01T00:00+14:59")).toEqual({
      ok: true,
      ms: Date.parse("2025-12-31T09:01Z"),
    });
  });
});

describe("accessDurationSeconds", () => {
  it.each([
    ["1s", 1],
    ["90m", 5400],
    ["8h", 8 * 3600],
    ["3D", 3 * 86400],
    ["2W", 14 * 86400],
    ["1M", 30 * 86400],
    ["1Y", 365 * 86400],
    ["012h", 12 * 3600],
  ])("reads %j as PacketFence does: %i seconds", (text, seconds) => {
    expect(accessDurationSeconds(text)).toEqual({ ok: true, seconds });
  });

  it.each(["", "8", "h", "8 h", "1d", "1H", "-1D", "1.5D", "8hours", " 8h"])(
    "refuses %j",
    (text) => {
      expect(accessDurationSeconds(text)).toEqual({
        ok: false,
        message:
          "must be a whole number followed by s, m, h, D, W, M or Y (minutes, hours, days, " +
          "weeks, 30-day months, 365-day years), such as 8h or 3D",
      });
    },
  );

  it("refuses a duration of nothing", () => {
    expect(accessDurationSeconds("0D")).toEqual({ ok: false, message: "must be at least 1" });
    expect(accessDurationSeconds("00h")).toEqual({ ok: false, message: "must be at least 1" });
  });
});

describe("checkTimeZone", () => {
  it.each(["Europe/Moscow", "UTC", "Asia/Yekaterinburg"])("knows %j", (zone) => {
    expect(checkTimeZone(zone)).toBeUndefined();
  });

  it.each(["Mars/Olympus", "", "MSK+1"])("names a zone it does not know: %j", (zone) => {
    expect(checkTimeZone(zone)).toBe(
      `${JSON.stringify(zone)} is not a time zone this system knows; give an IANA name such as Europe/Moscow`,
    );
  });
});

describe("formatApplianceTime", () => {
  it("writes an instant as the appliance's local time, as its database stores it", () => {
    const ms = Date.parse("2026-12-10T06:05:09.999Z");
    expect(formatApplianceTime(ms, "Europe/Moscow")).toBe("2026-12-10 09:05:09");
    expect(formatApplianceTime(ms, "UTC")).toBe("2026-12-10 06:05:09");
    expect(formatApplianceTime(ms, "America/New_York")).toBe("2026-12-10 01:05:09");
  });

  it("writes midnight as 00, not 24", () => {
    expect(formatApplianceTime(Date.parse("2026-12-09T21:00:00Z"), "Europe/Moscow")).toBe(
      "2026-12-10 00:00:00",
    );
  });

  it("pads a single digit everywhere", () => {
    expect(formatApplianceTime(Date.parse("2026-01-02T03:04:05Z"), "UTC")).toBe(
      "2026-01-02 03:04:05",
    );
  });
});
