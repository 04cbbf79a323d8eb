import { randomInt } from "node:crypto";

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/**
 * A password the appliance makes up when a bulk-imported guest has none: PacketFence's
 * `pf::password::generate` takes an 8-letter lowercase word from Crypt::GeneratePassword
 * (lib/pf/password.pm, `_generate_password`). The simulator draws the letters at random.
 */
export function generatedPassword(length = 8): string {
  let password = "";
  for (let i = 0; i < length; i++) password += LETTERS[randomInt(LETTERS.length)];
  return password;
}
