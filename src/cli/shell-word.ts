/**
 * A value as one word of a command line the operator copies into a POSIX shell: as it is when
 * the shell reads it so (letters of any script, digits, - _ . / = : @ % + ,), else in single
 * quotes, each quote inside written '\'' (a batch id "Выставка 2026" becomes 'Выставка 2026').
 */
export function shellWord(value: string): string {
  if (/^[\p{L}\p{M}\p{N}_./=:@%+,-]+$/u.test(value)) return value;
  return `'${value.replaceAll("'", "'\\''")}'`;
}
