/*
 * What `axelnac-courier onboard` says: the usage, the advice after a run (the command leads each
 * line with `onboard: `), and the one summary line on stdout.
 */

import { plural } from "../logging/plural";
import type { OnboardingResult } from "../onboard/onboarding";
import { shellWord } from "./shell-word";

export const ONBOARD_USAGE = `usage: axelnac-courier onboard FILE [options]

Onboards an event's guests from the registration platform's export (CSV): creates each guest's
account on AxelNAC (users/bulk_import), then sends each new guest their login and password by
SMS. Columns are found by their headers, in English or Russian (name / full name / ФИО, first name
/ Имя, last name / Фамилия, email / e-mail / Почта, phone / mobile / Телефон, company /
Организация), or named by the flags below; others are ignored. Phone numbers are read in any
usual format and sent as E.164 (+79123456789); a number that is not a mobile one is a bad row.
The same person twice (same phone number or pid) is a bad row naming the first. Running the same
file again creates nobody twice, replaces no password and sends no SMS to guests who already exist.

options:
  --role NAME             the role the guests get on the appliance (required)
  --access-duration D     valid from now for D: 8h, 3D, 2W (the appliance's units s m h D W M Y)
  --valid-from TIME       or the event's dates, ISO 8601 with a time zone:
  --expiration TIME         2030-06-10T09:00+03:00 … 2030-06-12T18:00+03:00
  --appliance-time-zone Z the appliance's time zone (default AXELNAC_TIME_ZONE), e.g. Europe/Moscow:
                          it keeps validity dates in its local time
  --phone-region CC       the country of numbers written without a code (default
                          ONBOARD_PHONE_REGION), e.g. RU: 8 (912) 345-67-89 is +79123456789
  --pid-rule RULE         the guest's user name: phone (default: 79123456789) or email
  --pid-prefix P          put before every user name: --pid-prefix guest- gives guest-79123456789
  --password-length N     the courier makes each password, N (8-64) letters and digits without
                          look-alikes; by default the appliance makes them
  --reset-passwords       give guests who already exist a new password, and send it
  --source-id ID          the SMS source (default AXELNAC_SOURCE_ID)
  --batch ID              the batch id, for \`status --batch\` (default onboard-<date>-<time>-<random>)
  --name-column NAME      the column of the full name; likewise --first-name-column,
                          --last-name-column, --email-column, --phone-column, --company-column
  --delimiter D           , or ; or tab (default: detected from the header)
  --encoding LABEL        the file's encoding: utf-8 (default), windows-1251, koi8-r, utf-16le…
  --rejects FILE          write the bad rows to FILE, with the reason, to fix and onboard again
  --dry-run               check the file only: nothing is created, Redis is not needed
  --help                  show this help

Bad rows are reported on stderr as "line N: reason" (N as an editor shows it) and do not stop the
others. The last line on stdout sums up:
  batch ID: N rows, G guests queued, R rejected
Follow the batch with \`status --batch ID --watch\`: accounts created, already existing, refused by
the appliance, then SMS delivered. Guests the appliance refuses are listed by \`failed list\`.

Exit status: 0 every row accepted, 1 some rows rejected (the others are queued) or Redis failed,
2 bad arguments or a file that cannot be read (nothing queued), 130 interrupted (the guests read
so far are queued).`;

/** The one line on stdout: `batch ID: N rows, G guests queued, R rejected`. */
export function onboardSummary(batchId: string, result: OnboardingResult, dryRun: boolean): string {
  const head = `batch ${batchId}: ${plural(result.rows, "row")}`;
  if (dryRun) {
    return `${head}, ${result.enqueued} valid, ${result.rejected} rejected (dry run: nothing created)`;
  }
  return `${head}, ${plural(result.enqueued, "guest")} queued, ${result.rejected} rejected`;
}

/** What the organiser does next, one sentence a line. */
export function onboardAdvice(
  result: OnboardingResult,
  choices: { dryRun: boolean; rejects: string | undefined; batchId: string },
): string[] {
  const lines: string[] = [];
  const done = choices.dryRun ? "checked" : "queued";
  if (result.stoppedBy) {
    lines.push(
      `the file cannot be read from line ${result.stoppedBy.line} on: the rows before it were ${done}, the rest was not read. Fix the file, then onboard it again: guests already created are left as they are`,
    );
  }
  if (result.interruptedAfterLine !== undefined) {
    lines.push(
      `interrupted: the rows up to line ${result.interruptedAfterLine} were ${done}, the rest was not read; to finish, onboard the file again: guests already created are left as they are`,
    );
  }
  if (result.rows === 0) lines.push("the file holds no rows after its header");
  const badRows = result.rejected - (result.stoppedBy ? 1 : 0);
  if (badRows > 0 && choices.rejects !== undefined) {
    lines.push(
      `${plural(badRows, "rejected row is", "rejected rows are")} in ${choices.rejects}: fix them there and onboard that file`,
    );
  } else if (badRows > 0) {
    lines.push("to get the rejected rows in a file to fix, add --rejects FILE and onboard again");
  }
  if (!choices.dryRun && result.enqueued > 0) {
    lines.push(
      `follow it with: axelnac-courier status --batch ${shellWord(choices.batchId)} --watch`,
    );
  }
  return lines;
}
