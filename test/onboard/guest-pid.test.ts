import { checkPidPrefix, guestPid, pidProblem } from "../../src/onboard/guest-pid";

const guest = { e164: "+79123456789", email: "Anna.Petrova@Mail.Example.ru" };

describe("guestPid", () => {
  it("makes the pid of the phone number without its +, by default", () => {
    expect(guestPid(guest, { rule: "phone" })).toEqual({ ok: true, pid: "79123456789" });
  });

  it("puts the prefix before the number", () => {
    expect(guestPid(guest, { rule: "phone", prefix: "guest-" })).toEqual({
      ok: true,
      pid: "guest-79123456789",
    });
  });

  it("makes the pid of the e-mail address, lowercased as the appliance compares pids", () => {
    expect(guestPid(guest, { rule: "email", prefix: "ev26." })).toEqual({
      ok: true,
      pid: "ev26.anna.petrova@mail.example.ru",
    });
  });

  it("refuses a guest without e-mail when the pid is the address, naming the rule", () => {
    expect(guestPid({ e164: "+79123456789" }, { rule: "email" })).toEqual({
      ok: false,
      reason: 'no e-mail address, which the pid rule "email" needs',
    });
  });

  it("refuses an address that makes no pid", () => {
    expect(guestPid({ e164: "+79123456789", email: "a^b@mail.ru" }, { rule: "email" })).toEqual({
      ok: false,
      reason:
        'the pid "a^b@mail.ru": AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance\'s rule for user ids)',
    });
  });

  it("refuses a pid longer than 255 characters", () => {
    const email = `${"a".repeat(240)}@mail.ru`;
    expect(guestPid({ e164: "+7", email }, { rule: "email", prefix: "x".repeat(7) })).toEqual({
      ok: true,
      pid: `${"x".repeat(7)}${email}`,
    });
    expect(guestPid({ e164: "+7", email }, { rule: "email", prefix: "x".repeat(8) })).toEqual({
      ok: false,
      reason: "the pid would be 256 characters; the appliance takes at most 255",
    });
  });
});

describe("pidProblem", () => {
  it.each(["79123456789", "guest-1", "a.b@c.d", "DOMAIN\\guest", "x/y_z"])("takes %j", (pid) => {
    expect(pidProblem(pid)).toBeUndefined();
  });

  it.each([
    [
      "",
      'the pid "": AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance\'s rule for user ids)',
    ],
    [
      "гость",
      'the pid "гость": AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance\'s rule for user ids)',
    ],
    [
      "a b",
      'the pid "a b": AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance\'s rule for user ids)',
    ],
    ["admin", 'the pid "admin" is a built-in user of the appliance'],
    ["Default", 'the pid "Default" is a built-in user of the appliance'],
  ])("refuses %j", (pid, reason) => {
    expect(pidProblem(pid)).toBe(reason);
  });
});

describe("checkPidPrefix", () => {
  it.each(["", "guest-", "ev.2026_", "corp\\"])("takes %j", (prefix) => {
    expect(checkPidPrefix(prefix)).toEqual({ ok: true });
  });

  it.each(["гость-", "guest ", "a+b"])("refuses %j", (prefix) => {
    expect(checkPidPrefix(prefix)).toEqual({
      ok: false,
      reason:
        "AxelNAC accepts only ASCII letters, digits and - _ . @ / \\ (the appliance's rule for user ids)",
    });
  });

  it("refuses a prefix that leaves no room for the guest", () => {
    expect(checkPidPrefix("x".repeat(200))).toEqual({ ok: true });
    expect(checkPidPrefix("x".repeat(201))).toEqual({
      ok: false,
      reason: "is 201 characters; at most 200, so that a pid stays within 255",
    });
  });
});
