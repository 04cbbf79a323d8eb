import { inspect } from "node:util";
import { generateKeyEntry, KeyRing, KeyRingError } from "../../src/secrets";

const KEY_A = Buffer.alloc(32, 1).toString("base64");
const KEY_B = Buffer.alloc(32, 2).toString("base64url");

describe("KeyRing.parse", () => {
  it("takes the first entry as the active key and keeps the others for decrypting", () => {
    const ring = KeyRing.parse(`new:${KEY_A},old:${KEY_B}`);
    expect(ring.activeId).toBe("new");
    expect(ring.ids).toEqual(["new", "old"]);
    expect(ring.activeKey).toEqual(Buffer.alloc(32, 1));
    expect(ring.key("old")).toEqual(Buffer.alloc(32, 2));
    expect(ring.has("old")).toBe(true);
    expect(ring.has("gone")).toBe(false);
    expect(ring.key("gone")).toBeUndefined();
  });

  it("reads a secrets file: entries on lines, spaces and a final line break around them", () => {
    const ring = KeyRing.parse(` new:${KEY_A}\r\nold:${KEY_B}\n`.replace(/\n$/, ""));
    expect(ring.ids).toEqual(["new", "old"]);
    expect(KeyRing.parse(`only:${KEY_A}\n`).ids).toEqual(["only"]);
  });

  it("accepts unpadded standard base64, and URL-safe base64 with its - and _", () => {
    expect(KeyRing.parse(`k:${KEY_A.replace(/=+$/, "")}`).activeKey).toEqual(Buffer.alloc(32, 1));
    const urlSafe = Buffer.alloc(32, 0xfb).toString("base64url");
    expect(urlSafe).toMatch(/[-_]/);
    expect(KeyRing.parse(`k:${urlSafe}`).activeKey).toEqual(Buffer.alloc(32, 0xfb));
  });

  it.each([
    ["", "holds no key"],
    [" , ", "holds no key"],
    [`a:${KEY_A},,b:${KEY_B}`, "entry 2 is empty (a stray comma?)"],
    [`a:${KEY_A},${KEY_B}`, "entry 2 is not ID:BASE64 (no colon)"],
    [
      `a b:${KEY_A}`,
      "entry 1: the id must be 1 to 64 letters, digits, dots, dashes or underscores",
    ],
    [`:${KEY_A}`, "entry 1: the id must be 1 to 64 letters, digits, dots, dashes or underscores"],
    [`${"i".repeat(65)}:${KEY_A}`, "entry 1: the id must be 1 to 64"],
    [`a:${KEY_A},a:${KEY_B}`, "entry 2 (a): the id appears twice"],
    ["a:not base64!", "entry 1 (a): the key is not base64"],
    [`a:!${KEY_A}`, "entry 1 (a): the key is not base64"],
    [`a:${Buffer.alloc(24).toString("base64")}`, "entry 1 (a): the key is 24 bytes; it must be 32"],
    [`a:${Buffer.alloc(33).toString("base64")}`, "entry 1 (a): the key is 33 bytes; it must be 32"],
  ])("refuses %j: %s", (text, message) => {
    expect(() => KeyRing.parse(text)).toThrow(
      expect.objectContaining({ name: "KeyRingError", constructor: KeyRingError }),
    );
    expect(() => KeyRing.parse(text)).toThrow(message);
  });

  it("never quotes a key in its messages", () => {
    const key = Buffer.alloc(24, 7).toString("base64");
    expect(() => KeyRing.parse(`a:${key}`)).toThrow(/^(?!.*BwcH).*$/s);
  });

  it("shows ids, never keys, to a logger or a debugger", () => {
    const ring = KeyRing.parse(`new:${KEY_A},old:${KEY_B}`);
    const shown = [JSON.stringify(ring), inspect(ring), inspect({ nested: { ring } })];
    for (const text of shown) {
      expect(text).toContain("new");
      expect(text).not.toContain(KEY_A.slice(0, 20));
      expect(text).not.toContain(KEY_B.slice(0, 20));
    }
    expect(JSON.parse(shown[0] as string)).toEqual({ activeId: "new", ids: ["new", "old"] });
    expect(shown[1]).toBe("KeyRing { active: new, ids: new, old }");
  });
});

describe("generateKeyEntry", () => {
  it("makes a ring entry of 32 random bytes, named after the day", () => {
    const entry = generateKeyEntry(new Date("2026-12-02T15:00:00Z"));
    expect(entry).toMatch(/^k20261202-[0-9a-f]{6}:[A-Za-z0-9+/]{43}=$/);
    const ring = KeyRing.parse(entry);
    expect(ring.activeKey).toHaveLength(32);
    expect(generateKeyEntry()).not.toBe(generateKeyEntry());
  });
});
