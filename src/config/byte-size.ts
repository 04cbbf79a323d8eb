/**
 * Sizes as operators write them: plain bytes, or a whole number of KiB or MiB (`512KiB`, `1MiB`;
 * `k`, `kb`, `m`, `mb` in any case are read as the same binary units).
 */
const UNIT_BYTES: Record<string, number> = { "": 1, k: 1_024, m: 1_048_576 };
const SIZE = /^(\d+)\s*(?:([km])(?:i?b)?|b)?$/i;

export function parseByteSize(text: string): number {
  const match = SIZE.exec(text.trim());
  const bytes = match ? Number(match[1]) * (UNIT_BYTES[(match[2] ?? "").toLowerCase()] ?? 1) : 0;
  if (!match || bytes < 1 || !Number.isSafeInteger(bytes)) {
    throw new Error(
      `"${text}" is not a size: use a whole number of bytes, KiB or MiB of 1 or more (e.g. 65536, 512KiB, 1MiB)`,
    );
  }
  return bytes;
}
