import { GUEST_EMAIL_PATTERN, isBuiltInPid } from "../../src/axelnac/guest-rules";

describe("the appliance's rules for a guest's fields", () => {
  it.each([
    ["alice.smith@mail.example.org", true],
    ["a_b-c@x-y.ru", true],
    ["a@b.museum", true],
    ["a@b.c", false],
    ["a@b.museums", false],
    ["a+tag@mail.example.org", false],
    ["иван@почта.рф", false],
    ["a@localhost", false],
    ["a@b..ru", false],
    [" a@b.ru", false],
    ["a@b.ru ", false],
  ])("takes %j as an e-mail address: %s", (email, taken) => {
    expect(GUEST_EMAIL_PATTERN.test(email)).toBe(taken);
  });

  it("knows the built-in pids, which bulk import refuses", () => {
    expect(isBuiltInPid("default")).toBe(true);
    expect(isBuiltInPid("admin")).toBe(true);
    expect(isBuiltInPid("administrator")).toBe(false);
    expect(isBuiltInPid("guest")).toBe(false);
  });

  it("takes a built-in pid in any case, since the appliance finds pids so", () => {
    expect(isBuiltInPid("Admin")).toBe(true);
    expect(isBuiltInPid("DEFAULT")).toBe(true);
  });
});
