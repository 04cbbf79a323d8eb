import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { OUTCOME_CODES } from "../../src/outcome";
import { REPO_ROOT } from "../support/processes";

/** Every .ts file under `dir`, recursively. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Codes written as whole string literals in the source: `"AXELNAC_…"`, `"COURIER_…"`. */
function codeLiteralsInSource(): Set<string> {
  const codes = new Set<string>();
  for (const file of sourceFiles(join(REPO_ROOT, "src"))) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/["'`]((?:AXELNAC|COURIER)_[A-Z0-9_]+)["'`]/g)) {
      codes.add(match[1] as string);
    }
  }
  return codes;
}

/** Codes the README explains: a code in backticks on a row of one of its tables. */
function codesInReadmeTables(): Set<string> {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const codes = new Set<string>();
  for (const line of readme.split("\n").filter((l) => l.startsWith("|"))) {
    for (const match of line.matchAll(/`((?:AXELNAC|COURIER)_[A-Z0-9_]+)`/g)) {
      codes.add(match[1] as string);
    }
  }
  return codes;
}

// RequestRejectedError's static code names its family; an instance always carries a member, so
// the family name is never reported.
const FAMILY_NAMES = new Set(["AXELNAC_REQUEST_REJECTED"]);

describe("outcome codes", () => {
  it("finds the codes the source writes as literals (so the scan below can fail)", () => {
    const found = codeLiteralsInSource();
    expect(found).toContain("AXELNAC_SMS_PROVIDER_FAILED");
    expect(found).toContain("COURIER_INVALID_JOB");
    expect(found).toContain("COURIER_CONFIG_INVALID");
  });

  it("lists every code the source can produce in OUTCOME_CODES, but a family name", () => {
    const listed = new Set<string>(OUTCOME_CODES);
    const missing = [...codeLiteralsInSource()].filter(
      (c) => !listed.has(c) && !FAMILY_NAMES.has(c),
    );
    expect(missing).toEqual([]);
  });

  it("explains every code it can produce in a README table", () => {
    const explained = codesInReadmeTables();
    const produced = new Set<string>([...OUTCOME_CODES, ...codeLiteralsInSource()]);
    const unexplained = [...produced]
      .filter((code) => !explained.has(code) && !FAMILY_NAMES.has(code))
      .sort();
    expect(unexplained).toEqual([]);
  });
});
