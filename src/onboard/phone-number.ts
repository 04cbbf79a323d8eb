import {
  type CountryCode,
  isSupportedCountry,
  type NumberType,
  ParseError,
  parsePhoneNumberWithError,
} from "libphonenumber-js/max";

/** An ISO 3166 alpha-2 code the phone library has a numbering plan for. */
export type PhoneRegion = CountryCode;

export type PhoneReading = { ok: true; e164: string } | { ok: false; reason: string };
export type RegionCheck = { ok: true; region: PhoneRegion } | { ok: false; reason: string };

/** The library's parse errors, as a person reads them. */
const PARSE_REASONS: Readonly<Record<string, string>> = {
  INVALID_COUNTRY: "has a country code no country uses",
  TOO_SHORT: "is too short to be a phone number",
  TOO_LONG: "is too long to be a phone number",
};

/** The kinds of number an SMS cannot be trusted to reach, in words. */
const KIND_NAMES: Readonly<Partial<Record<NumberType & string, string>>> = {
  FIXED_LINE: "a landline",
  TOLL_FREE: "a toll-free",
  PREMIUM_RATE: "a premium-rate",
  SHARED_COST: "a shared-cost",
  VOIP: "an internet telephony",
  PERSONAL_NUMBER: "a personal forwarding",
  PAGER: "a pager",
  UAN: "a company's single-access",
};

const COUNTRY_NAMES = new Intl.DisplayNames(["en"], { type: "region" });

/**
 * A registration's phone cell as the E.164 number an SMS goes to, or why it cannot be one. A
 * number without a country code is read by `region`'s plan ("8 912 …" in RU). Only a mobile
 * number is taken, or one the plan cannot tell from a landline (the US, Canada): the guest must
 * receive the password by SMS. The whole cell must be the number: text around it, a second number
 * or an extension is refused rather than guessed at.
 */
export function normalisePhone(raw: string, region: PhoneRegion): PhoneReading {
  const text = raw.trim();
  if (text === "") return { ok: false, reason: "no phone number" };
  let phone: ReturnType<typeof parsePhoneNumberWithError>;
  try {
    phone = parsePhoneNumberWithError(text, { defaultCountry: region, extract: false });
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: the library throws nothing but ParseError
    if (!(error instanceof ParseError)) throw error;
    return { ok: false, reason: PARSE_REASONS[error.message] ?? "is not a phone number" };
  }
  if (phone.ext !== undefined) {
    return { ok: false, reason: "has an extension; an SMS needs a mobile number without one" };
  }
  if (!phone.isValid()) {
    const country = phone.country ?? region;
    return { ok: false, reason: `is not a valid number in ${COUNTRY_NAMES.of(country)}` };
  }
  const type = phone.getType();
  if (type === "MOBILE" || type === "FIXED_LINE_OR_MOBILE") return { ok: true, e164: phone.number };
  // Stryker disable next-line StringLiteral,LogicalOperator: a valid number's other types (VOICEMAIL) are in no plan the tests could find
  const kind = (type && KIND_NAMES[type]) ?? "another kind of";
  return { ok: false, reason: `is ${kind} number, not a mobile one` };
}

/**
 * The region for numbers written without a country code (`--phone-region`,
 * ONBOARD_PHONE_REGION), in either case, or why the library cannot read numbers by it.
 */
export function checkPhoneRegion(code: string): RegionCheck {
  const region = code.trim().toUpperCase();
  if (isSupportedCountry(region)) return { ok: true, region };
  return {
    ok: false,
    reason:
      `${JSON.stringify(code)} is not a country the phone library knows: ` +
      "give an ISO 3166 two-letter code such as RU",
  };
}
