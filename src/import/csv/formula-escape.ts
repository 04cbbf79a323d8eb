/**
 * A cell that starts with one of these is run as a formula by Excel, LibreOffice or Google
 * Sheets when an operator opens the rejects file: OWASP's list for CSV injection.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/**
 * OWASP's defence against CSV injection: a leading single quote makes a spreadsheet show the
 * cell as text. To keep it reversible, a cell that already starts with quotes followed by a
 * trigger gets one more, so `unescapeFormula` only ever removes the quote this added:
 * `=1+2` → `'=1+2`, `'=1+2` → `''=1+2`, `'plain` stays `'plain`.
 */
export function escapeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** The cell `escapeFormula` was given. */
export function unescapeFormula(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell) ? cell.slice(1) : cell;
}
