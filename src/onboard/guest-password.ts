import { randomInt } from "node:crypto";

/**
 * The characters of a guest's password: letters and digits without the look-alikes 0 O o 1 l I,
 * and no symbol, which an SMS may re-encode and a phone keyboard hides. 56 characters: 8 of them
 * carry 46 bits.
 */
export const GUEST_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

const SHORTEST = 8;
const LONGEST = 64;

/** A password drawn with the operating system's cryptographic randomness, one character at a time. */
export function generateGuestPassword(length: number): string {
  if (!Number.isInteger(length) || length < SHORTEST || length > LONGEST) {
    throw new RangeError(
      `a guest password has ${SHORTEST} to ${LONGEST} characters, not ${length}`,
    );
  }
  let password = "";
  for (let i = 0; i < length; i++) {
    password += GUEST_PASSWORD_ALPHABET[randomInt(GUEST_PASSWORD_ALPHABET.length)];
  }
  return password;
}
