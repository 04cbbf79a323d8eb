/*
 * What a batch id may be. Operators name batches in their own language ("Выставка 2026"), so any
 * letter or digit of any script is allowed, with single spaces between words and - _ . ; nothing
 * that could hide or rewrite text on a terminal (controls, bidi marks, other blanks), nor the `~`
 * that separates a batch from the rest of a job id, nor the `:` BullMQ refuses in a custom job id.
 */

/**
 * Longest batch id, in UTF-8 bytes: what a Redis key and a job id carry. 128 Latin letters,
 * 64 Cyrillic ones, 42 Chinese characters.
 */
export const BATCH_ID_MAX_BYTES = 128;

/** Words of letters (with their combining marks), digits and - _ . joined by single spaces. */
const WORD = "[\\p{L}\\p{M}\\p{N}._-]+";
const BATCH_ID_PATTERN = new RegExp(`^${WORD}(?: ${WORD})*$`, "u");
// Stryker disable next-line Regex: it tests one character at a time, so either anchor alone is as strict
const ALLOWED_CHARACTER = /^[\p{L}\p{M}\p{N}._ -]$/u;

const ALPHABET = "letters, digits, single spaces between words and - _ .";

/** Why `id` is not a batch id, naming the problem; undefined when it is one. */
export function batchIdProblem(id: string): string | undefined {
  if (id === "") return "is empty";
  const bytes = Buffer.byteLength(id, "utf8");
  if (bytes > BATCH_ID_MAX_BYTES) {
    return `is ${bytes} bytes long in UTF-8; at most ${BATCH_ID_MAX_BYTES}`;
  }
  if (BATCH_ID_PATTERN.test(id)) return undefined;
  for (const character of id) {
    if (!ALLOWED_CHARACTER.test(character)) {
      return `holds ${describeCharacter(character)}: a batch id is made of ${ALPHABET}`;
    }
  }
  if (id.startsWith(" ") || id.endsWith(" ")) return "starts or ends with a space";
  return "has two spaces in a row";
}

export function isBatchId(id: string): boolean {
  return batchIdProblem(id) === undefined;
}

/** `"~"`, or `U+001B` for a character that cannot be shown as such. */
function describeCharacter(character: string): string {
  // Stryker disable next-line Regex: letters, marks and digits are allowed, so never described
  if (/^[\p{P}\p{S}]$/u.test(character)) return `"${character}"`;
  const code = character.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Whether a batch id read back from a job's data is taken as the job's batch: a test Lua can run
 * as well (IS_STORED_BATCH_ID_LUA), so that the worker's counters and the scripts of `failed
 * retry` and `purge` agree on every job, one written by another producer too. Looser than
 * `isBatchId` (Lua knows no Unicode classes): ASCII is held to the alphabet, other characters
 * are taken as they come; a stored id is shown through forTerminal in any case.
 */
export function isStoredBatchId(id: string): boolean {
  return (
    Buffer.byteLength(id, "utf8") <= BATCH_ID_MAX_BYTES &&
    /^(?:[A-Za-z0-9 ._-]|[^\p{ASCII}])+$/u.test(id)
  );
}

/**
 * `isStoredBatchId` in Lua, for scripts that read a job's data inside Redis. Held to the same
 * answers by test/batches/stored-batch-id.test.ts, against a real Redis.
 */
// Stryker disable next-line StringLiteral: only Redis runs it; its test needs one, outside the mutation run
export const IS_STORED_BATCH_ID_LUA = `
local function isStoredBatchId(batch)
  return type(batch) == 'string' and #batch > 0 and #batch <= ${BATCH_ID_MAX_BYTES}
    and string.find(batch, '^[%w ._%-\\128-\\255]+$') ~= nil
end
`;
