import { splitFullName, tidyName } from "../../src/onboard/person-name";

describe("splitFullName", () => {
  it.each([
    ["Иванов Иван Иванович", { lastname: "Иванов", firstname: "Иван Иванович" }],
    ["  Петрова   Анна\tСергеевна ", { lastname: "Петрова", firstname: "Анна Сергеевна" }],
    ["Сидоров Пётр", { lastname: "Сидоров", firstname: "Пётр" }],
    [
      "Салтыков-Щедрин Михаил Евграфович",
      { lastname: "Салтыков-Щедрин", firstname: "Михаил Евграфович" },
    ],
  ])("reads %j family name first", (full, name) => {
    expect(splitFullName(full, "family-first")).toEqual(name);
  });

  it.each([
    ["Mary Ann Smith", { firstname: "Mary Ann", lastname: "Smith" }],
    [" John  Smith ", { firstname: "John", lastname: "Smith" }],
  ])("reads %j given name first", (full, name) => {
    expect(splitFullName(full, "given-first")).toEqual(name);
  });

  it.each(["family-first", "given-first"] as const)(
    "keeps one word as the first name (%s)",
    (order) => {
      expect(splitFullName("  Madonna ", order)).toEqual({ firstname: "Madonna" });
    },
  );

  it.each(["family-first", "given-first"] as const)(
    "gives no name for a blank cell (%s)",
    (order) => {
      expect(splitFullName(" \t ", order)).toEqual({});
    },
  );
});

describe("tidyName", () => {
  it("trims and collapses the blanks inside", () => {
    expect(tidyName("  Анна \t Мария  ")).toBe("Анна Мария");
  });

  it("gives nothing for a blank cell", () => {
    expect(tidyName("   ")).toBeUndefined();
    expect(tidyName("")).toBeUndefined();
  });
});
