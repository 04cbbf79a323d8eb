import {
  matchPasswords,
  type PasswordLine,
  PROBLEMS_KEPT,
} from "../../src/batches/password-change";

async function* linesOf(lines: PasswordLine[]): AsyncGenerator<PasswordLine> {
  yield* lines;
}

const failed = [
  { id: "expo~1", pid: "ann" },
  { id: "expo~2", pid: "bob" },
  { id: "expo~3", pid: "cy" },
  { id: "expo~4", pid: "cy" },
  { id: "expo~5", pid: null },
];

describe("matchPasswords", () => {
  it("pairs each line with the one failed job of its pid", async () => {
    const match = await matchPasswords(
      linesOf([
        { line: 2, pid: "ann", password: "pw-a" },
        { line: 3, pid: "bob", password: "pw-b" },
      ]),
      failed,
      "in batch expo",
    );
    expect(match.problems).toEqual([]);
    expect([...match.byJob]).toEqual([
      ["expo~1", { line: 2, pid: "ann", password: "pw-a" }],
      ["expo~2", { line: 3, pid: "bob", password: "pw-b" }],
    ]);
  });

  it("names the line of an unknown pid, of a pid with several failed jobs, of a repeated pid (and its first line), and of a line already bad; then matches nothing", async () => {
    const match = await matchPasswords(
      linesOf([
        { line: 2, pid: "ann", password: "pw-a" },
        { line: 3, pid: "guest7", password: "pw-7" },
        { line: 4, pid: "cy", password: "pw-c" },
        { line: 5, pid: "ann", password: "pw-a2" },
        { line: 6, problem: "password is empty" },
      ]),
      failed,
      "in batch expo",
    );
    expect(match.problems).toEqual([
      "line 3: no failed delivery for guest7 in batch expo",
      "line 4: cy has 2 failed deliveries in batch expo: retry them one at a time with --id JOB",
      "line 5: ann is also on line 2: give each guest one password",
      "line 6: password is empty",
    ]);
    expect(match.problemCount).toBe(4);
    expect(match.byJob.size).toBe(0);
    expect(JSON.stringify(match)).not.toContain("pw-");
  });

  it("shows a pid from the file made safe for a terminal, and says nothing of a scope for --all", async () => {
    const match = await matchPasswords(
      linesOf([{ line: 2, pid: "x\u001b[2Jy", password: "pw" }]),
      failed,
      "",
    );
    expect(match.problems).toHaveLength(1);
    expect(match.problems[0]).toMatch(/^line 2: no failed delivery for x.*y$/);
    expect(match.problems[0]).not.toContain("\u001b");
  });

  it("keeps the first problems only, and counts them all", async () => {
    const lines = Array.from({ length: PROBLEMS_KEPT + 5 }, (_, n) => ({
      line: n + 2,
      pid: `nobody-${n}`,
      password: "pw",
    }));
    const match = await matchPasswords(linesOf(lines), failed, "in batch expo");
    expect(match.problems).toHaveLength(PROBLEMS_KEPT);
    expect(match.problemCount).toBe(PROBLEMS_KEPT + 5);
  });
});
