/**
 * An event's registration export as a registration platform writes it: Russian headers, full
 * names in the Russian order, phone numbers as people typed them. Some rows are bad on purpose.
 */
export interface ExportRow {
  name: string;
  email: string;
  phone: string;
  company: string;
}

export interface RegistrationExport {
  rows: ExportRow[];
  /** The CSV text: header `ФИО;Почта;Телефон;Организация`, separator `;`. */
  csv: string;
  /** The E.164 number each good row's guest gets, by 0-based row index. */
  e164: Map<number, string>;
  /** Rows the courier must reject, by 0-based row index, with a word their reason contains. */
  bad: Map<number, string>;
}

const FAMILY = ["Иванов", "Петрова", "Сидоров", "Кузнецова", "Смирнов", "Попова", "Волков"];
const GIVEN = ["Иван Иванович", "Анна Сергеевна", "Пётр Петрович", "Ольга Игоревна", "Ёжиков Олег"];

/** Six ways people write +7 912 NNN-NN-NN. */
function typed(digits: string, style: number): string {
  const [a, b, c, d] = [
    digits.slice(0, 3),
    digits.slice(3, 6),
    digits.slice(6, 8),
    digits.slice(8),
  ];
  switch (style % 6) {
    case 0:
      return `8 (${a}) ${b}-${c}-${d}`;
    case 1:
      return `+7 ${a} ${b} ${c}${d}`;
    case 2:
      return `8${a}${b}${c}${d}`;
    case 3:
      return `+7-${a}-${b}-${c}-${d}`;
    case 4:
      return ` 7 ${a} ${b}${c}${d} `;
    default:
      return `+7(${a})${b}${c}${d}`;
  }
}

/**
 * `count` registrations. Unless `badRows` is false, every 97th row has a landline, every 89th a
 * number too short, every 83rd a Cyrillic e-mail address, and row 500 (if present) repeats row
 * 10's person with another format.
 */
export function registrationExport(
  count: number,
  offset = 0,
  options: { badRows?: boolean } = {},
): RegistrationExport {
  const withBad = options.badRows ?? true;
  const rows: ExportRow[] = [];
  const e164 = new Map<number, string>();
  const bad = new Map<number, string>();
  for (let i = 0; i < count; i++) {
    const n = offset + i;
    const digits = `912${String(n).padStart(7, "0")}`;
    const row: ExportRow = {
      name: `${FAMILY[n % FAMILY.length]} ${GIVEN[n % GIVEN.length]}`,
      email: `guest.${n}@example.org`,
      phone: typed(digits, n),
      company: n % 3 === 0 ? "ООО «Ромашка»" : "АО Вектор; филиал",
    };
    if (!withBad) {
      e164.set(i, `+7${digits}`);
    } else if (i > 0 && i % 97 === 0) {
      row.phone = `8 (495) 123-${String(n % 100).padStart(2, "0")}-${String(n % 90).padStart(2, "0")}`;
      bad.set(i, "landline");
    } else if (i > 0 && i % 89 === 0) {
      row.phone = "8 912 345";
      bad.set(i, "phone");
    } else if (i > 0 && i % 83 === 0) {
      row.email = `гость${n}@пример.рф`;
      bad.set(i, "ASCII");
    } else {
      e164.set(i, `+7${digits}`);
    }
    rows.push(row);
  }
  if (withBad && count > 500 && !bad.has(10)) {
    const first = rows[10] as ExportRow;
    rows[500] = { ...first, phone: typed(`912${String(offset + 10).padStart(7, "0")}`, 3) };
    e164.delete(500);
    bad.set(500, "line 12");
  }
  const cell = (text: string) => (/[;"\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const lines = rows.map((r) => [r.name, r.email, r.phone, r.company].map(cell).join(";"));
  return { rows, e164, bad, csv: `ФИО;Почта;Телефон;Организация\n${lines.join("\n")}\n` };
}
