/**
 * Times as the appliance takes them. Its database keeps a guest's valid_from and expiration as
 * "YYYY-MM-DD HH:MM:SS" in its own local time, so an instant given on the command line (with
 * its offset, never guessed) is written in the appliance's time zone.
 */

export type InstantReading = { ok: true; ms: number } | { ok: false; message: string };
export type DurationReading = { ok: true; seconds: number } | { ok: false; message: string };

/** ISO 8601 / RFC 3339 to the minute or second: date, T or a space, time, then the offset. */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:(Z)|([+-])(\d{2}):?(\d{2}))?$/;

/** The widest offsets in use are -12:00 and +14:00. */
const OFFSET_HOURS = 14;

/** An instant written with its offset ("2026-12-10T09:00+03:00", "…Z"), as milliseconds. */
export function parseOffsetDateTime(text: string): InstantReading {
  const match = DATE_TIME.exec(text.trim());
  if (match === null) {
    return {
      ok: false,
      message: "must be a date and time with its offset, such as 2026-12-10T09:00+03:00",
    };
  }
  const [, , , , , , , zulu, sign, offsetHours = "0", offsetMinutes = "0"] = match;
  if (zulu === undefined && sign === undefined) {
    return { ok: false, message: "needs a time zone: end it with Z or an offset such as +03:00" };
  }
  const [year, month, day, hour, minute, second] = match
    .slice(1, 7)
    .map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  // Date.UTC rolls 31 April over to 1 May, and reads years below 100 as 19xx: compare back.
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(local);
  const exists =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    Number(offsetHours) <= OFFSET_HOURS &&
    Number(offsetMinutes) <= 59;
  if (!exists) return { ok: false, message: "has no such day, time or offset" };
  const offset = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  return { ok: true, ms: sign === "-" ? local + offset : local - offset };
}

/** PacketFence's units (lib/pf/util.pm `normalize_time`): a month is 30 days, a year 365. */
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  D: 86_400,
  W: 7 * 86_400,
  M: 30 * 86_400,
  Y: 365 * 86_400,
};

/** An access duration as the appliance writes one ("8h", "3D"), in seconds. */
export function accessDurationSeconds(text: string): DurationReading {
  const match = /^(\d+)([smhDWMY])$/.exec(text);
  if (match === null) {
    return {
      ok: false,
      message:
        "must be a whole number followed by s, m, h, D, W, M or Y (minutes, hours, days, " +
        "weeks, 30-day months, 365-day years), such as 8h or 3D",
    };
  }
  const count = Number(match[1]);
  if (count < 1) return { ok: false, message: "must be at least 1" };
  return { ok: true, seconds: count * (UNIT_SECONDS[match[2] as string] as number) };
}

/** Why the system cannot write times in a zone; undefined when it can. */
export function checkTimeZone(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return undefined;
  } catch {
    return (
      `${JSON.stringify(zone)} is not a time zone this system knows; ` +
      "give an IANA name such as Europe/Moscow"
    );
  }
}

/** An instant as "YYYY-MM-DD HH:MM:SS" in the zone, the seconds' fraction dropped. */
export function formatApplianceTime(ms: number, zone: string): string {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  const parts: Record<string, string> = {};
  for (const { type, value } of format.formatToParts(ms)) parts[type] = value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}
