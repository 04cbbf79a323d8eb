import {
  escapeControls,
  FIELD_LIMIT,
  forTerminal,
  forTerminalDeep,
  jsonForTerminal,
  SENTENCE_LIMIT,
} from "../../src/logging/terminal-text";

describe("untrusted text for a terminal", () => {
  it.each([
    ["a window title (OSC)", "\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"],
    ["a line erased and overwritten", "ok\x1b[2K\rforged", "ok\\x1b[2K\\rforged"],
    ["a forged line", "guest\n12:00 INFO delivered", "guest\\n12:00 INFO delivered"],
    ["a tab", "a\tb", "a\\tb"],
    ["NUL and the last C0", "\u0000\u001f", "\\x00\\x1f"],
    [
      "DEL and the C1 controls (CSI, NEL)",
      "\u007f\u0080\u009b\u0085\u009f",
      "\\x7f\\x80\\x9b\\x85\\x9f",
    ],
    ["a right-to-left override", "gpj.\u202eexe", "gpj.\\u202eexe"],
    [
      "each embedding and override",
      "\u202a\u202b\u202c\u202d\u202e",
      "\\u202a\\u202b\\u202c\\u202d\\u202e",
    ],
    ["each isolate", "\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"],
    ["the marks", "\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"],
    ["line and paragraph separators", "a\u2028b\u2029c", "a\\u2028b\\u2029c"],
  ])("escapes %s", (_what, raw, shown) => {
    expect(forTerminal(raw)).toBe(shown);
    expect(escapeControls(raw)).toBe(shown);
  });

  it.each([
    ["plain ASCII", "guest-1@example.org"],
    ["a backslash (a domain pid)", "CORP\\jdoe"],
    [
      "the printable neighbours of each range",
      " ~\u00a0\u061b\u061d\u200d\u2010\u2027\u202f\u2065\u206a",
    ],
    ["letters of other scripts and an emoji", "Пётр 山田 مرحبا 🎉"],
  ])("leaves %s as it is", (_what, text) => {
    expect(forTerminal(text)).toBe(text);
  });

  it("caps a field at 200 characters and counts the rest", () => {
    expect(FIELD_LIMIT).toBe(200);
    expect(forTerminal("x".repeat(200))).toBe("x".repeat(200));
    expect(forTerminal("x".repeat(201))).toBe(`${"x".repeat(200)}…(1 more)`);
    expect(forTerminal("y".repeat(1_000_000))).toBe(`${"y".repeat(200)}…(999800 more)`);
  });

  it("caps at the limit given, and escapes only what it shows", () => {
    expect(forTerminal("abcdef", 3)).toBe("abc…(3 more)");
    expect(forTerminal("\n\n\n\n", 2)).toBe("\\n\\n…(2 more)");
    expect(SENTENCE_LIMIT).toBe(1_000);
    expect(forTerminal("z".repeat(1_001), SENTENCE_LIMIT)).toBe(`${"z".repeat(1_000)}…(1 more)`);
  });

  it("never splits a surrogate pair: the cut falls before it", () => {
    expect(forTerminal("ab🎉cd", 3)).toBe("ab…(4 more)");
    expect(forTerminal("ab🎉cd", 4)).toBe("ab🎉…(2 more)");
    expect(forTerminal("ab\udbffcd", 3)).toBe("ab…(3 more)");
    expect(forTerminal("ab\ud800cd", 3)).toBe("ab…(3 more)");
    expect(forTerminal("ab\udc00cd", 3)).toBe("ab\udc00…(2 more)");
    expect(forTerminal("ab\ud7ffcd", 3)).toBe("ab\ud7ff…(2 more)");
    expect(forTerminal("ab\ue000cd", 3)).toBe("ab\ue000…(2 more)");
  });
});

describe("a log record for a pretty log line", () => {
  it("makes every string safe, keys included, at any depth; other values stay", () => {
    const record = {
      level: 30,
      ok: true,
      none: null,
      msg: "delivered\nforged",
      pid: "\x1b]0;pwned\x07",
      job: { data: { reference: "\u202eREF", tags: ["a\rb", 7] } },
      "key\x1b[2K": "v",
    };
    expect(forTerminalDeep(record)).toEqual({
      level: 30,
      ok: true,
      none: null,
      msg: "delivered\\nforged",
      pid: "\\x1b]0;pwned\\x07",
      job: { data: { reference: "\\u202eREF", tags: ["a\\rb", 7] } },
      "key\\x1b[2K": "v",
    });
  });

  it("keeps a stack's line breaks, each line made safe and capped", () => {
    const stack = `Error: \x1b[31m\n    at f (x.js:1:1)\n${"w".repeat(5)}`;
    expect(forTerminalDeep({ err: { stack, message: "a\nb" } }, 10)).toEqual({
      err: { stack: "Error: \\x1b[3…(2 more)\n    at f (…(9 more)\nwwwww", message: "a\\nb" },
    });
    // A stack that is not a string is a value like any other.
    expect(forTerminalDeep({ stack: ["a\nb"] })).toEqual({ stack: ["a\\nb"] });
  });

  it("caps every string at the limit given, 200 by default", () => {
    expect(forTerminalDeep({ a: "x".repeat(201) })).toEqual({ a: `${"x".repeat(200)}…(1 more)` });
    expect(forTerminalDeep(["abc"], 2)).toEqual(["ab…(1 more)"]);
    expect(forTerminalDeep({ ["k".repeat(3)]: 1 }, 2)).toEqual({ "kk…(1 more)": 1 });
    expect(forTerminalDeep({ o: { s: "abc" } }, 2)).toEqual({ o: { s: "ab…(1 more)" } });
  });
});

describe("JSON output", () => {
  it("keeps every value exact for a script, with no control character raw", () => {
    const value = {
      pid: "\x1b]0;pwned\x07\x1b[2K\r\n",
      reference: "\u202eREF\u0085\u009b\u2028\u061c\u200e\u2066",
      attempts: 3,
    };
    const json = jsonForTerminal(value);
    expect(json).toBe(
      '{"pid":"\\u001b]0;pwned\\u0007\\u001b[2K\\r\\n","reference":"\\u202eREF\\u0085\\u009b\\u2028\\u061c\\u200e\\u2066","attempts":3}',
    );
    expect(JSON.parse(json)).toEqual(value);
    expect(jsonForTerminal(["Пётр 🎉", null])).toBe('["Пётр 🎉",null]');
  });
});
