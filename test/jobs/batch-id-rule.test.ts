import {
  BATCH_ID_MAX_BYTES,
  batchIdProblem,
  isBatchId,
  isStoredBatchId,
} from "../../src/jobs/batch-id-rule";

describe("batch ids", () => {
  it.each([
    "Выставка 2026",
    "expo-2026",
    "forum_2026.day-1",
    "東京 2026",
    "Ärzte Tag 3",
    // й written as и and a combining breve, as some keyboards send it
    "Выставка\u0306",
    "٢٠٢٦",
    "a".repeat(BATCH_ID_MAX_BYTES),
    "я".repeat(BATCH_ID_MAX_BYTES / 2),
  ])("takes %j", (id) => {
    expect(batchIdProblem(id)).toBeUndefined();
    expect(isBatchId(id)).toBe(true);
    expect(isStoredBatchId(id)).toBe(true);
  });

  it.each([
    ["", "is empty"],
    ["я".repeat(65), "is 130 bytes long in UTF-8; at most 128"],
    ["a".repeat(129), "is 129 bytes long in UTF-8; at most 128"],
    [
      "expo~2026",
      'holds "~": a batch id is made of letters, digits, single spaces between words and - _ .',
    ],
    ["expo:2026", 'holds ":"'],
    ["a/b", 'holds "/"'],
    ["a\\b", 'holds "\\"'],
    ["expo\u001b[2J", "holds U+001B"],
    ["expo\n", "holds U+000A"],
    ["expo\t2026", "holds U+0009"],
    ["expo\u00a02026", "holds U+00A0"],
    ["expo\u202e2026", "holds U+202E"],
    ["expo\u200b2026", "holds U+200B"],
    ["expo 2026 ", "starts or ends with a space"],
    [" expo", "starts or ends with a space"],
    ["expo  2026", "has two spaces in a row"],
  ])("refuses %j: %s", (id, problem) => {
    expect(batchIdProblem(id)).toEqual(expect.stringContaining(problem));
    expect(isBatchId(id)).toBe(false);
  });

  it("reads back from a job's data what Lua can check as well: ASCII held to the alphabet", () => {
    expect(isStoredBatchId("expo~2026")).toBe(false);
    expect(isStoredBatchId("expo:2026")).toBe(false);
    expect(isStoredBatchId("expo\n")).toBe(false);
    expect(isStoredBatchId("")).toBe(false);
    expect(isStoredBatchId("a".repeat(129))).toBe(false);
    // Not a batch id a producer may write, but taken as the job's batch when it is there.
    expect(isStoredBatchId("expo\u00a02026")).toBe(true);
  });
});
