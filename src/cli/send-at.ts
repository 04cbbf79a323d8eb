const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The `--send-at` of `enqueue` and `import`: ISO 8601 with a time zone only, since without one
 * the same text means different instants on different hosts. `Date.parse` alone would also turn
 * 2025-02-30 into March 2nd. Throws a RangeError naming the flag; commands report it as a usage
 * error.
 */
export function parseSendAt(text: string): Date {
  const match = ISO_DATE_TIME.exec(text);
  const [, year, month, day, hour, minute, second = "0"] = match ?? [];
  const date = new Date(text);
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  const valid =
    match !== null &&
    !Number.isNaN(date.getTime()) &&
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59;
  if (!valid) {
    throw new RangeError(
      `--send-at: "${text}" is not an ISO 8601 date and time with a time zone, e.g. 2025-06-01T09:30:00+02:00 or 2025-06-01T07:30:00Z`,
    );
  }
  return date;
}
