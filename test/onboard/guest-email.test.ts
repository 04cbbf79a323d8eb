import { readGuestEmail } from "../../src/onboard/guest-email";

const REFUSED =
  "is not an address the appliance accepts: only ASCII letters, digits, _ . and - " +
  "on either side of the @, and a 2–6 letter top-level domain";

describe("readGuestEmail", () => {
  it("takes an address the appliance accepts, trimmed, in the case it was written", () => {
    expect(readGuestEmail("  Anna.Petrova@Mail.Example.ru ")).toEqual({
      ok: true,
      email: "Anna.Petrova@Mail.Example.ru",
    });
  });

  it("reads a blank cell as no address, which is allowed", () => {
    expect(readGuestEmail("")).toEqual({ ok: true });
    expect(readGuestEmail("  ")).toEqual({ ok: true });
  });

  it.each([
    "иван@почта.рф",
    "ivan@пример.ru",
    "anna+event@mail.example.org",
    "anna@mail.example.website",
    "anna@localhost",
    "anna",
    "anna@@mail.ru",
    "anna petrova@mail.ru",
  ])("refuses %j, saying why", (cell) => {
    expect(readGuestEmail(cell)).toEqual({ ok: false, reason: REFUSED });
  });

  it("refuses an address longer than the appliance stores", () => {
    const longest = `${"a".repeat(255 - "@mail.ru".length)}@mail.ru`;
    expect(readGuestEmail(longest)).toEqual({ ok: true, email: longest });
    expect(readGuestEmail(`a${longest}`)).toEqual({
      ok: false,
      reason: "is longer than the 255 characters the appliance stores",
    });
  });
});
