import { randomInt } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What an event's registration export looks like, with made-up guests. */
export interface SampleRegistrations {
  path: string;
  guests: number;
}

/** No 0/O, 1/l/I: a guest reads the password off an SMS and types it. */
const PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const PASSWORD_LENGTH = 10;

/**
 * Writes `registrations.csv` into `dir`: guests guest-0001 … with a random password each, a
 * registration reference and the SMS source. The file holds the passwords: `dir` must be the
 * demo's own temporary directory, deleted at the end.
 */
export async function writeSampleRegistrations(
  dir: string,
  guests: number,
  sourceId: string,
): Promise<SampleRegistrations> {
  const width = Math.max(4, String(guests).length);
  const source = csvField(sourceId);
  const lines = ["pid,password,reference,source_id"];
  for (let n = 1; n <= guests; n++) {
    const number = String(n).padStart(width, "0");
    lines.push(`guest-${number},${randomPassword()},REG-${number},${source}`);
  }
  const path = join(dir, "registrations.csv");
  await writeFile(path, `${lines.join("\n")}\n`, { mode: 0o600 });
  return { path, guests };
}

function randomPassword(): string {
  let password = "";
  for (let i = 0; i < PASSWORD_LENGTH; i++) {
    password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  }
  return password;
}

/** AXELNAC_SOURCE_ID is free text: quote it if it holds a separator, a quote or a line break. */
function csvField(text: string): string {
  return /[",;\t\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
