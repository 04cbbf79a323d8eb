import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CliResult, runCli } from "../support/cli";

/** The peak resident memory the command reported, in MB (see MAX_RSS_PRELOAD). */
function peakMb(result: CliResult): number {
  const match = /^max-rss-kb (\d+)$/m.exec(result.stderr);
  if (match === null) throw new Error(`no max-rss line in:\n${result.stderr.slice(-2000)}`);
  return Number(match[1]) / 1024;
}

/** Loaded into the command's process with --require: prints its peak RSS as it exits. */
const MAX_RSS_PRELOAD =
  'process.on("exit", () => process.stderr.write("max-rss-kb " + process.resourceUsage().maxRSS + "\\n"));\n';

describe("axelnac-courier import: files too big for memory", () => {
  const dir = mkdtempSync(join(tmpdir(), "courier-import-limits-"));
  const preload = join(dir, "max-rss.js");
  writeFileSync(preload, MAX_RSS_PRELOAD);
  const env = { AXELNAC_SOURCE_ID: "sms", NODE_OPTIONS: `--require ${preload}` };

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function writeFile(name: string, parts: (string | (() => Iterable<string>))[]) {
    const path = join(dir, `${randomUUID().slice(0, 8)}-${name}`);
    const out = createWriteStream(path);
    for (const part of parts) {
      for (const text of typeof part === "string" ? [part] : part()) {
        if (!out.write(text)) await once(out, "drain");
      }
    }
    out.end();
    await once(out, "close");
    return path;
  }

  /** `size` MB of `letter` repeated, written a MB at a time. */
  const megabytes = (size: number, letter: string) =>
    function* () {
      for (let i = 0; i < size; i++) yield letter.repeat((1 << 20) / letter.length);
    };

  it("rejects a 50 MB cell by its line, reads on, and holds no more memory than for a small file", async () => {
    const rows = "pid,password,reference\nann,Pw-ann-1,ok\n";
    const small = await writeFile("small.csv", [rows, "bob,Pw-bob-2,ok\ncid,Pw-cid-3,ok\n"]);
    const big = await writeFile("big.csv", [
      rows,
      "bob,Pw-bob-2,",
      megabytes(50, "x"),
      '\ncid,Pw-cid-3,"',
      megabytes(50, "y\n"),
      '"\ndan,,ok\n',
    ]);
    const rejects = join(dir, "rejects.csv");
    const baseline = await runCli(["import", small, "--dry-run"], env);
    const result = await runCli(["import", big, "--dry-run", "--rejects", rejects], env);

    expect(baseline.code).toBe(0);
    expect(result.code).toBe(1);
    const limit = "field 3 is longer than the limit of 65536 characters (64 KiB)";
    const badRows = result.stderr.split("\n").filter((line) => /^line \d+: /.test(line));
    // The quoted cell's 50 × 2^19 line breaks are counted: dan is on the line after them.
    const danLine = 4 + 50 * 2 ** 19 + 1;
    expect(badRows).toEqual([
      `line 3: ${limit}`,
      `line 4: ${limit}`,
      `line ${danLine}: password is empty`,
    ]);
    expect(result.stdout).toMatch(/: 4 rows, 1 valid, 3 rejected/);
    expect(readFileSync(rejects, "utf8")).toBe(
      "\uFEFFimport_error,pid,password,reference\r\n" +
        `line 3: ${limit}\r\nline 4: ${limit}\r\nline ${danLine}: password is empty,dan,,ok\r\n`,
    );
    const growth = peakMb(result) - peakMb(baseline);
    process.stdout.write(
      `peak RSS: ${peakMb(baseline).toFixed(1)} MB small file, ${peakMb(result).toFixed(1)} MB with two 50 MB cells\n`,
    );
    // Less than one of the cells: the reader keeps none of it (before the limit, one 50 MB cell
    // took 220 MB more). What remains is garbage the young generation has not collected yet.
    expect(growth).toBeLessThan(50);
  }, 120_000);
});
