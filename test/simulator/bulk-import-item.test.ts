import { importItemErrors, isPerlTrue, perlString } from "../../src/simulator/bulk-import-item";
import { generatedPassword } from "../../src/simulator/generated-password";

describe("what the appliance's bulk import refuses in an item", () => {
  it.each<[Record<string, unknown>, { field: string; message: string }[]]>([
    [{ pid: "alice", email: "alice.smith@mail.example.org" }, []],
    [{ pid: "+79123456789" }, []],
    [{ pid: "Иван+x" }, []],
    [{ pid: "0" }, []],
    [{ pid: 0 }, []],
    [{ pid: 42 }, []],
    [{}, [{ field: "pid", message: "Missing pid" }]],
    [{ pid: null }, [{ field: "pid", message: "Missing pid" }]],
    [{ pid: "" }, [{ field: "pid", message: "Missing pid" }]],
    [{ pid: ["alice"] }, [{ field: "pid", message: "Missing pid" }]],
    [{ pid: "Иван" }, [{ field: "pid", message: "Invalid PID (Иван)" }]],
    [{ pid: "  " }, [{ field: "pid", message: "Invalid PID (  )" }]],
    [{ pid: "admin" }, [{ field: "pid", message: "admin cannot be updated via bulk import" }]],
    [{ pid: "default" }, [{ field: "pid", message: "default cannot be updated via bulk import" }]],
    [{ pid: "Admin" }, []],
    [
      { pid: "a", email: "a+tag@mail.example.org" },
      [{ field: "email", message: "invalid format" }],
    ],
    [{ pid: "a", email: "a@localhost" }, [{ field: "email", message: "invalid format" }]],
    [
      { pid: "a", email: "a@mail.example.museums" },
      [{ field: "email", message: "invalid format" }],
    ],
    [{ pid: "a", email: "a@mail.example.m" }, [{ field: "email", message: "invalid format" }]],
    [{ pid: "a", email: "иван@mail.example.ru" }, [{ field: "email", message: "invalid format" }]],
    [{ pid: "a", email: "a^b@mail.example.org" }, []],
    [{ pid: "a", email: "a@mail.example.museum" }, []],
    [{ pid: "a", email: "a@ex.co" }, []],
    [{ pid: "a", email: "" }, []],
    [{ pid: "a", email: "0" }, []],
    [{ pid: "a", email: 12 }, [{ field: "email", message: "invalid format" }]],
    [
      { email: "bad" },
      [
        { field: "pid", message: "Missing pid" },
        { field: "email", message: "invalid format" },
      ],
    ],
  ])("%j → %j", (item, errors) => {
    expect(importItemErrors(item)).toEqual(errors);
  });
});

describe("Perl's view of JSON scalars", () => {
  it.each<[unknown, string | undefined]>([
    ["x", "x"],
    [12.5, "12.5"],
    [true, "1"],
    [false, "0"],
    [null, undefined],
    [undefined, undefined],
    [{}, undefined],
  ])("%j reads as %j", (value, text) => {
    expect(perlString(value)).toBe(text);
  });

  it.each<[string | undefined, boolean]>([
    ["x", true],
    ["00", true],
    [" ", true],
    ["0", false],
    ["", false],
    [undefined, false],
  ])("%j is %s", (text, truth) => {
    expect(isPerlTrue(text)).toBe(truth);
  });
});

describe("a password the appliance makes up", () => {
  it("is 8 lowercase letters unless told otherwise, and differs each time", () => {
    const made = Array.from({ length: 50 }, () => generatedPassword());
    for (const password of made) expect(password).toMatch(/^[a-z]{8}$/);
    expect(new Set(made).size).toBe(50);
    expect(generatedPassword(12)).toMatch(/^[a-z]{12}$/);
    const letters = new Set(Array.from({ length: 200 }, () => generatedPassword()).join(""));
    expect(letters.size).toBe(26);
  });
});
