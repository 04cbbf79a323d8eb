/**
 * Which part of a full name comes first: "ФИО" columns list the family name first (Иванов Иван
 * Иванович), an English "Name" column the given name first (Mary Ann Smith).
 */
export type NameOrder = "family-first" | "given-first";

/** A person's name as the appliance keeps it; a part the cell did not give is left out. */
export interface PersonName {
  firstname?: string;
  lastname?: string;
}

/** A name cell trimmed, its inner blanks collapsed to one space; undefined when blank. */
export function tidyName(cell: string): string | undefined {
  const name = cell.trim().replace(/\s+/g, " ");
  return name === "" ? undefined : name;
}

/**
 * A full name split into the appliance's first and last name. The family name is one word (a
 * hyphenated one included) at the end the order says; the rest, a patronymic or middle name
 * included, is the first name. A single word is taken as the first name.
 */
export function splitFullName(cell: string, order: NameOrder): PersonName {
  // Stryker disable next-line Regex: splitting on each blank leaves empty words, which the filter drops
  const words = cell.split(/\s+/).filter((word) => word !== "");
  if (words.length === 0) return {};
  if (words.length === 1) return { firstname: words[0] as string };
  if (order === "family-first") {
    return { lastname: words[0] as string, firstname: words.slice(1).join(" ") };
  }
  return { firstname: words.slice(0, -1).join(" "), lastname: words.at(-1) as string };
}
