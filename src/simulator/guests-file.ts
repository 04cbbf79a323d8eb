import { readFileSync } from "node:fs";
import { personKey } from "./guest-directory";

/** A guests file that cannot be read or has a bad line; the message names the file and line. */
export class GuestsFileError extends Error {
  override name = "GuestsFileError";
  readonly code = "SIMULATOR_GUESTS_FILE_INVALID";
}

/** PacketFence's pid characters (lib/pf/person.pm). */
const PID = /^[a-zA-Z0-9\-_.@/\\]+$/;
/** Digits with an optional leading "+" and the usual separators. */
const TELEPHONE = /^\+?[0-9][0-9 ()-]*$/;

/**
 * Reads "pid,telephone" lines: an optional "pid,telephone" header first, blank lines and lines
 * starting with # ignored. Throws `GuestsFileError` naming the first bad line.
 */
export function readGuestsFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new GuestsFileError(`guests file ${path}: cannot read it (${reason})`);
  }
  return parseGuests(text, path);
}

export function parseGuests(text: string, source: string): Map<string, string> {
  const guests = new Map<string, string>();
  const firstLine = new Map<string, number>();
  let sawContent = false;
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const isFirst = !sawContent;
    sawContent = true;
    if (isFirst && /^pid\s*,\s*telephone$/i.test(line)) return;
    const fail = (why: string) =>
      new GuestsFileError(`guests file ${source}, line ${lineNumber}: ${why}`);
    const fields = line.split(",").map((field) => field.trim());
    if (fields.length !== 2) throw fail(`expected "pid,telephone", found ${fields.length} fields`);
    const [pid = "", telephone = ""] = fields;
    if (!PID.test(pid)) throw fail(`"${pid}" is not a pid (letters, digits and - _ . @ / \\)`);
    // An empty telephone is a guest the appliance has no number for: its sends fail.
    if (telephone !== "" && !TELEPHONE.test(telephone)) {
      throw fail(`"${telephone}" is not a telephone number`);
    }
    const earlier = firstLine.get(personKey(pid));
    if (earlier !== undefined) {
      throw fail(
        `pid "${pid}" is the guest of line ${earlier}: the appliance compares pids ignoring case`,
      );
    }
    firstLine.set(personKey(pid), lineNumber);
    guests.set(pid, telephone);
  });
  return guests;
}
