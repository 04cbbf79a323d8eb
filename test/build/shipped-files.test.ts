/**
 * What ships: the product build and the Docker image hold src and workers only, never the tests
 * or the benchmarks; the image runs on a supported Node, without dev dependencies, not as root.
 * Read from the files themselves, so no Docker engine is needed.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import { REPO_ROOT } from "../support/processes";

/** A path with a test or bench directory in it: `test`, `./bench/x`, `/app/dist/test`. */
const NOT_SHIPPED = /(^|\/)(test|bench)(\/|$)/;

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions (continuation lines joined, comments dropped), stage by stage. */
function dockerfileStages(): Instruction[][] {
  const text = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8").replace(/\\\r?\n/g, " ");
  const stages: Instruction[][] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = /^(\S+)\s*(.*)$/.exec(trimmed);
    if (!match) continue;
    const instruction = { keyword: (match[1] ?? "").toUpperCase(), args: match[2] ?? "" };
    if (instruction.keyword === "FROM") stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/** The sources of a COPY (or ADD): its arguments without flags and without the destination. */
function copySources(args: string): string[] {
  const words = args.trim().startsWith("[")
    ? (JSON.parse(args) as string[])
    : args.split(/\s+/).filter((word) => !word.startsWith("--"));
  return words.slice(0, -1);
}

describe("what ships", () => {
  it("the product build includes no test or bench path", () => {
    const config = JSON.parse(readFileSync(join(REPO_ROOT, "tsconfig.build.json"), "utf8")) as {
      include?: string[];
      files?: string[];
    };
    const paths = [...(config.include ?? []), ...(config.files ?? [])];
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((path) => NOT_SHIPPED.test(path))).toEqual([]);
  });

  it("no compiled product file comes from test/ or bench/", () => {
    const listed = execFileSync(
      process.execPath,
      [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--listFilesOnly"],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
    const ours = listed
      .split(/\r?\n/)
      .filter((line) => line.trim() !== "")
      .map((file) => relative(REPO_ROOT, file).split(sep).join("/"))
      .filter((file) => !file.startsWith("..") && !isAbsolute(file))
      .filter((file) => !file.startsWith("node_modules/"));
    expect(ours).toContain("src/cli/main.ts");
    expect(ours).toContain("workers/delivery-worker.ts");
    expect(ours.filter((file) => !/^(src|workers)\//.test(file))).toEqual([]);
  });

  describe("the Dockerfile", () => {
    const stages = dockerfileStages();
    const final = stages.at(-1) ?? [];

    it("builds every stage from node: at a current LTS major (22 or later)", () => {
      expect(stages.length).toBeGreaterThanOrEqual(2);
      for (const stage of stages) {
        const from = stage[0]?.args ?? "";
        const major = /^node:(\d+)/.exec(from)?.[1];
        expect({ from, major: Number(major) >= 22 }).toEqual({ from, major: true });
      }
    });

    it("installs the final stage's dependencies with --omit=dev", () => {
      const installs = final.filter(
        (step) => step.keyword === "RUN" && /\bnpm (ci|install)\b/.test(step.args),
      );
      expect(installs.length).toBeGreaterThan(0);
      for (const install of installs) expect(install.args).toMatch(/--omit=dev\b/);
    });

    it("runs the final stage as a user that is not root", () => {
      const user = final
        .filter((step) => step.keyword === "USER")
        .at(-1)
        ?.args.split(":")[0];
      expect(user).toBeDefined();
      expect(["root", "0"]).not.toContain(user);
    });

    it("copies no test or bench file into any stage", () => {
      const copies = stages.flat().filter((step) => ["COPY", "ADD"].includes(step.keyword));
      expect(copies.length).toBeGreaterThan(0);
      const sources = copies.flatMap((step) => copySources(step.args));
      expect(sources.filter((source) => NOT_SHIPPED.test(source))).toEqual([]);
      expect(sources).not.toContain(".");
    });
  });

  it(".dockerignore keeps the tests and the benchmarks out of the build context", () => {
    const ignored = readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8").split(/\r?\n/);
    expect(ignored).toEqual(expect.arrayContaining(["test", "bench", "node_modules", "dist"]));
  });
});
