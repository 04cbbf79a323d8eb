import { plural, pluralWord } from "../../src/logging/plural";

describe("counts in messages", () => {
  it.each([
    [0, "0 rows"],
    [1, "1 row"],
    [2, "2 rows"],
    [21, "21 rows"],
  ])("%d row(s) is %j", (count, text) => {
    expect(plural(count, "row")).toBe(text);
  });

  it("takes an irregular plural, and a way to write the number", () => {
    expect(plural(1, "failed delivery", "failed deliveries")).toBe("1 failed delivery");
    expect(plural(0, "failed delivery", "failed deliveries")).toBe("0 failed deliveries");
    expect(plural(1_234, "job", "jobs", (n) => n.toLocaleString("en-US"))).toBe("1,234 jobs");
    expect(pluralWord(1, "column")).toBe("column");
    expect(pluralWord(2, "column")).toBe("columns");
  });
});
