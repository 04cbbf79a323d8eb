import { GUEST_PASSWORD_ALPHABET, generateGuestPassword } from "../../src/onboard/guest-password";

describe("generateGuestPassword", () => {
  it("draws from letters and digits without look-alikes or symbols", () => {
    expect(GUEST_PASSWORD_ALPHABET).toMatch(/^[A-Za-z2-9]+$/);
    for (const lookAlike of ["0", "O", "o", "1", "l", "I"]) {
      expect(GUEST_PASSWORD_ALPHABET).not.toContain(lookAlike);
    }
    expect(new Set(GUEST_PASSWORD_ALPHABET).size).toBe(GUEST_PASSWORD_ALPHABET.length);
    expect(GUEST_PASSWORD_ALPHABET).toHaveLength(24 + 24 + 8);
  });

  it.each([8, 12, 64])("gives a password of %i characters from the alphabet", (length) => {
    const password = generateGuestPassword(length);
    expect(password).toHaveLength(length);
    for (const character of password) expect(GUEST_PASSWORD_ALPHABET).toContain(character);
  });

  it.each([7, 65, 0, -1, 8.5, Number.NaN])("refuses a length of %d", (length) => {
    expect(() => generateGuestPassword(length)).toThrow(
      new RangeError(`a guest password has 8 to 64 characters, not ${length}`),
    );
  });

  it("draws 1,000 different passwords, using every character", () => {
    const passwords = new Set<string>();
    for (let i = 0; i < 1000; i++) passwords.add(generateGuestPassword(12));
    expect(passwords.size).toBe(1000);
    expect(new Set([...passwords].join(""))).toEqual(new Set(GUEST_PASSWORD_ALPHABET));
  });
});
