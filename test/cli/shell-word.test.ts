import { execFileSync } from "node:child_process";
import { onboardAdvice, onboardSummary } from "../../src/cli/onboard-messages";
import { shellWord } from "../../src/cli/shell-word";

describe("values in the command lines the courier prints", () => {
  it.each([
    ["forum-2030", "forum-2030"],
    ["Выставка", "Выставка"],
    ["Выставка 2026", "'Выставка 2026'"],
    ["it's", "'it'\\''s'"],
    ["$HOME", "'$HOME'"],
    ["", "''"],
  ])("%j is written %s", (value, word) => {
    expect(shellWord(value)).toBe(word);
  });

  it.each(["Выставка 2026", "it's a `test` $HOME; rm -rf", "a\\b", "x  y"])(
    "a POSIX shell reads %j back as one word, as it was",
    (value) => {
      const echoed = execFileSync("sh", ["-c", `printf '%s' ${shellWord(value)}`], {
        encoding: "utf8",
      });
      expect(echoed).toBe(value);
    },
  );

  it("onboard's advice quotes a batch id with a space, and counts 1 guest and 1 row", () => {
    const result = { rows: 1, enqueued: 1, duplicates: 0, rejected: 0 };
    const advice = onboardAdvice(result, {
      dryRun: false,
      rejects: undefined,
      batchId: "Выставка 2026",
    });
    expect(advice).toEqual([
      "follow it with: axelnac-courier status --batch 'Выставка 2026' --watch",
    ]);
    expect(onboardSummary("Выставка 2026", result, false)).toBe(
      "batch Выставка 2026: 1 row, 1 guest queued, 0 rejected",
    );
    expect(onboardSummary("b", { ...result, rows: 2, enqueued: 0, rejected: 2 }, false)).toBe(
      "batch b: 2 rows, 0 guests queued, 2 rejected",
    );
    expect(
      onboardAdvice(
        { rows: 2, enqueued: 1, duplicates: 0, rejected: 1 },
        { dryRun: false, rejects: "rejects.csv", batchId: "b" },
      )[0],
    ).toBe("1 rejected row is in rejects.csv: fix them there and onboard that file");
  });
});
