import { checkPhoneRegion, normalisePhone } from "../../src/onboard/phone-number";

describe("normalisePhone", () => {
  it.each([
    "8 (912) 345-67-89",
    "+7 912 345 6789",
    "89123456789",
    "+7-912-345-67-89",
    "  +7 (912) 345.67.89  ",
    "9123456789",
  ])("reads %j, written the Russian way, as +79123456789", (raw) => {
    expect(normalisePhone(raw, "RU")).toEqual({ ok: true, e164: "+79123456789" });
  });

  it("reads a foreign number written with its country code", () => {
    expect(normalisePhone("+44 7400 123456", "RU")).toEqual({ ok: true, e164: "+447400123456" });
  });

  it("takes a number the country's plan does not tell from a landline", () => {
    expect(normalisePhone("(212) 555-0123", "US")).toEqual({ ok: true, e164: "+12125550123" });
  });

  it.each<[string, string]>([
    ["", "no phone number"],
    ["   ", "no phone number"],
    ["not known", "is not a phone number"],
    ["89123456789, 89234567890", "is not a phone number"],
    ["+7 912 345 67 89 мама", "is not a phone number"],
    ["+999 123456", "has a country code no country uses"],
    ["1", "is too short to be a phone number"],
    ["+7 912 345 67 89 12345 67890", "is too long to be a phone number"],
    ["+7 999", "is not a valid number in Russia"],
    ["8 (012) 345-67-89", "is not a valid number in Russia"],
    ["+7 495 123-45-67", "is a landline number, not a mobile one"],
    ["8 800 555 35 35", "is a toll-free number, not a mobile one"],
    ["+7 912 345-67-89 доб. 5", "has an extension; an SMS needs a mobile number without one"],
  ])("refuses %j: %s", (raw, reason) => {
    expect(normalisePhone(raw, "RU")).toEqual({ ok: false, reason });
  });

  it.each<[string, string]>([
    ["+44 76 2345 6789", "a pager"],
    ["+44 55 1234 5678", "a company's single-access"],
    ["+33 8 10 12 34 56", "a shared-cost"],
  ])("names the kind of %j: %s", (raw, kind) => {
    expect(normalisePhone(raw, "RU")).toEqual({
      ok: false,
      reason: `is ${kind} number, not a mobile one`,
    });
  });

  it("names a number's kind in words", () => {
    expect(normalisePhone("+44 909 879 0000", "GB")).toEqual({
      ok: false,
      reason: "is a premium-rate number, not a mobile one",
    });
    expect(normalisePhone("+44 56 4123 4567", "GB")).toEqual({
      ok: false,
      reason: "is an internet telephony number, not a mobile one",
    });
    expect(normalisePhone("+44 70 1234 5678", "GB")).toEqual({
      ok: false,
      reason: "is a personal forwarding number, not a mobile one",
    });
  });
});

describe("checkPhoneRegion", () => {
  it.each([
    ["RU", "RU"],
    ["ru", "RU"],
    [" de ", "DE"],
  ])("knows %j as %s", (code, region) => {
    expect(checkPhoneRegion(code)).toEqual({ ok: true, region });
  });

  it.each(["XX", "", "RUS", "7"])("refuses %j", (code) => {
    expect(checkPhoneRegion(code)).toEqual({
      ok: false,
      reason: `${JSON.stringify(code)} is not a country the phone library knows: give an ISO 3166 two-letter code such as RU`,
    });
  });
});
