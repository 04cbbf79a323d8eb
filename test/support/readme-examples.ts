import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./processes";

/** One fenced block of README.md, with the `<!-- example: … -->` marker on the line before it. */
export interface ReadmeExample {
  /** Line of the opening fence, 1-based. */
  line: number;
  /** The fence's info string: `sh`, `mjs`, `text`… (empty when none). */
  info: string;
  /** The block's text, its list indentation removed, ending with a line break. */
  body: string;
  marker: string | undefined;
}

/** What the README test does with a block. */
export type ExampleHandling =
  | { kind: "run"; language: "sh" | "js" | "mjs" | "ts" }
  /** A command that runs until stopped: started, left running for the blocks after it. */
  | { kind: "background" }
  | { kind: "parse-json" }
  /** Output as a command prints it, or a format: nothing to run. */
  | { kind: "output" }
  /** Run as written by another test, which reads it from README.md. */
  | { kind: "run-by"; testFile: string }
  | { kind: "not-run"; reason: string }
  | { kind: "problem"; problem: string };

const FENCE = /^(\s*)```(\S*)\s*$/;
const MARKER = /^\s*<!--\s*example:\s*(.*?)\s*-->\s*$/;

export function readmeExamples(text: string): ReadmeExample[] {
  const lines = text.split("\n");
  const examples: ReadmeExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] as string);
    if (!open) continue;
    const indent = (open[1] as string).length;
    const body: string[] = [];
    let close = i + 1;
    while (close < lines.length && (lines[close] as string).trim() !== "```") {
      body.push((lines[close] as string).slice(indent));
      close++;
    }
    let before = i - 1;
    while (before >= 0 && (lines[before] as string).trim() === "") before--;
    examples.push({
      line: i + 1,
      info: open[2] as string,
      body: body.map((line) => `${line}\n`).join(""),
      marker: MARKER.exec(lines[before] ?? "")?.[1],
    });
    i = close;
  }
  return examples;
}

export function readmeText(): string {
  return readFileSync(join(REPO_ROOT, "README.md"), "utf8");
}

/**
 * Every block is run here, run by another test, or says why it is not run: a block that is none
 * of these is a problem, so a new example cannot go untested unnoticed.
 */
export function handlingOf(example: ReadmeExample): ExampleHandling {
  const { marker, info } = example;
  if (marker !== undefined) {
    const notRun = /^not run\s*[—:-]\s*(.{10,})$/.exec(marker);
    if (notRun) return { kind: "not-run", reason: notRun[1] as string };
    const runBy = /^run by (\S+?)[,:]?(\s|$)/.exec(marker);
    if (runBy) return { kind: "run-by", testFile: runBy[1] as string };
    if (/^background\b/.test(marker) && info === "sh") return { kind: "background" };
    return {
      kind: "problem",
      problem: `its marker "${marker}" is none of "not run — REASON", "run by TEST-FILE", "background" (sh)`,
    };
  }
  if (info === "sh" || info === "js" || info === "mjs" || info === "ts") {
    return { kind: "run", language: info };
  }
  if (info === "json") return { kind: "parse-json" };
  if (info === "text") return { kind: "output" };
  return {
    kind: "problem",
    problem: `a block ${info ? `of "${info}"` : "without an info string"} is neither run nor marked <!-- example: not run — REASON -->`,
  };
}
