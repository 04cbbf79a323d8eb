import { quoteCell } from "../../src/onboard/cell-quote";

describe("quoteCell", () => {
  it("quotes a short value whole, as it is", () => {
    expect(quoteCell("8 (495) 123-45-67")).toBe('"8 (495) 123-45-67"');
    expect(quoteCell("DOMAIN\\guest")).toBe('"DOMAIN\\guest"');
  });

  it("cuts a value past 64 characters, counting the rest", () => {
    expect(quoteCell("a".repeat(64))).toBe(`"${"a".repeat(64)}"`);
    expect(quoteCell("a".repeat(70))).toBe(`"${"a".repeat(64)}…" (6 more characters)`);
  });

  it("never splits a character written as two UTF-16 units", () => {
    expect(quoteCell(`${"a".repeat(63)}😀b`)).toBe(`"${"a".repeat(63)}…" (3 more characters)`);
  });

  it.each([
    ["\ud800", 63],
    ["\udbff", 63],
    ["\ud7ff", 64],
    ["\udc00", 64],
  ])("cuts before a high surrogate only (%j at the limit)", (unit, cut) => {
    const value = `${"a".repeat(63)}${unit}${"b".repeat(5)}`;
    expect(quoteCell(value)).toBe(`"${value.slice(0, cut)}…" (${69 - cut} more characters)`);
  });

  it("keeps a pair that ends at the limit", () => {
    const value = `${"a".repeat(62)}😀bb`;
    expect(quoteCell(value)).toBe(`"${"a".repeat(62)}😀…" (2 more characters)`);
  });
});
