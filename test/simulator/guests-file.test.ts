import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGuestsFile } from "../../src/simulator/index";

describe("readGuestsFile", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "simulator-guests-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("reads pid,telephone lines with a header, comments, blank lines and CRLF", () => {
    const path = file(
      "ok.csv",
      "# guests of the lobby\r\npid,telephone\r\n\r\nalice,+79990001122\r\n  bob@example.org , +7 (999) 333-44-55 \r\n# end\r\n",
    );
    expect([...readGuestsFile(path)]).toEqual([
      ["alice", "+79990001122"],
      ["bob@example.org", "+7 (999) 333-44-55"],
    ]);
  });

  it("reads a guest without a telephone: the appliance knows them, but has no number", () => {
    expect(readGuestsFile(file("no-phone.csv", "pid,telephone\ndan,\n")).get("dan")).toBe("");
  });

  it("reads a file without a header", () => {
    expect(readGuestsFile(file("plain.csv", "carol,89990001122\n")).get("carol")).toBe(
      "89990001122",
    );
  });

  it.each([
    [
      "a line without a comma",
      "pid,telephone\nalice\n",
      /line 2: expected "pid,telephone", found 1 fields/,
    ],
    ["a third field", "alice,+7999,extra\n", /line 1: expected "pid,telephone", found 3 fields/],
    ["a bad pid", "# c\nal ice,+79990001122\n", /line 2: "al ice" is not a pid/],
    ["a bad telephone", "alice,call me\n", /line 1: "call me" is not a telephone number/],
    [
      "a duplicate pid",
      "alice,+7999\n\nalice,+7998\n",
      /line 3: pid "alice" is the guest of line 1: the appliance compares pids ignoring case/,
    ],
    [
      "a pid that differs from an earlier one only by case",
      "Alice,+7999\nALICE,+7998\n",
      /line 2: pid "ALICE" is the guest of line 1/,
    ],
    [
      "a header after data",
      "alice,+7999\npid,telephone\n",
      /line 2: "telephone" is not a telephone number/,
    ],
  ])("names the line of %s", (_, text, message) => {
    const path = file("bad.csv", text);
    expect(() => readGuestsFile(path)).toThrow(message);
    expect(() => readGuestsFile(path)).toThrow(path);
  });

  it("says which file it cannot read", () => {
    const missing = join(dir, "missing.csv");
    expect(() => readGuestsFile(missing)).toThrow(
      `guests file ${missing}: cannot read it (ENOENT)`,
    );
  });
});
