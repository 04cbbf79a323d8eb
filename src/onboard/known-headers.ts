import type { NameOrder } from "./person-name";

/** What a registration export's column may hold for a guest. */
export type OnboardField = "fullName" | "firstName" | "lastName" | "email" | "phone" | "company";

export const ONBOARD_FIELDS: readonly OnboardField[] = [
  "fullName",
  "firstName",
  "lastName",
  "email",
  "phone",
  "company",
];

/**
 * The headers event registration exports commonly give each field, in English and Russian, as
 * a person writes them (and error messages show them). Matched by `headerKey`, so "E-mail",
 * "e_mail" and "EMAIL" are one header.
 */
export const KNOWN_HEADERS: Readonly<Record<OnboardField, readonly string[]>> = {
  fullName: ["name", "full name", "fio", "ФИО", "Фамилия Имя Отчество"],
  firstName: ["first name", "given name", "Имя"],
  lastName: ["last name", "surname", "family name", "Фамилия"],
  email: ["email", "mail", "Почта", "Электронная почта", "E-mail адрес"],
  phone: [
    "phone",
    "mobile",
    "telephone",
    "tel",
    "phone number",
    "mobile phone",
    "Телефон",
    "Мобильный телефон",
    "Мобильный",
    "Номер телефона",
  ],
  company: ["company", "organization", "organisation", "Организация", "Компания"],
};

/** Full-name headers that list the family name first, as Russian forms do (Иванов Иван Иванович). */
const FAMILY_FIRST_KEYS = new Set(["fio", "фио", "фамилияимяотчество"]);

/** A header as it is compared: trimmed, lowercased, ё as е, without blanks, _ - and dots. */
export function headerKey(name: string): string {
  return name
    .toLowerCase()
    .replaceAll("ё", "е")
    .replace(/[\s_.-]/g, "");
}

const FIELD_OF_KEY = new Map<string, OnboardField>(
  ONBOARD_FIELDS.flatMap((field) => KNOWN_HEADERS[field].map((name) => [headerKey(name), field])),
);

/** The field a header is commonly used for, if any. */
export function knownField(name: string): OnboardField | undefined {
  return FIELD_OF_KEY.get(headerKey(name));
}

/**
 * The order of the parts of a full name in a column of this name. A header in Cyrillic that is
 * not a known English one is read family name first, as Russian forms list names; the rest,
 * given name first.
 */
export function nameOrderOf(name: string): NameOrder {
  const key = headerKey(name);
  return FAMILY_FIRST_KEYS.has(key) || /\p{Script=Cyrillic}/u.test(key)
    ? "family-first"
    : "given-first";
}
