import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { REPO_ROOT } from "../support/processes";

const SRC = join(REPO_ROOT, "src");
const MAX_LINES = 350;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Relative module specifiers of a file: static imports, re-exports, dynamic imports, require. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const pattern =
    /(?:from\s+|import\s*\(\s*|require\s*\(\s*|^import\s+)["'](\.{1,2}\/[^"']*)["']/gm;
  return [...text.matchAll(pattern)].map((match) => match[1] as string);
}

/** The top-level folder of src/ a path belongs to (`src/cli/demo/x.ts` → `cli`), or the path itself outside src/. */
function folderOf(path: string): string {
  const rel = relative(SRC, path);
  if (rel.startsWith("..")) return relative(REPO_ROOT, path);
  return rel.split(sep)[0] as string;
}

/** Folder-level import graph of src/: folder → folders it imports from (itself excluded). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const spec of relativeImports(file)) {
      const to = folderOf(resolve(dirname(file), spec));
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** One cycle of the graph as a path (`a → b → a`), or undefined. */
function findCycle(graph: Map<string, Set<string>>): string | undefined {
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (node: string): string | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "visiting")
      return [...path.slice(path.indexOf(node)), node].join(" → ");
    state.set(node, "visiting");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe("source layout", () => {
  const graph = folderGraph();

  it("reads the import graph (so the checks below can fail)", () => {
    expect(graph.get("worker")).toContain("token");
    expect(graph.get("cli")).toContain("worker");
  });

  it("has no cycle between the folders of src/", () => {
    expect(findCycle(graph)).toBeUndefined();
  });

  it("finds a cycle when there is one", () => {
    const looped = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
    ]);
    expect(findCycle(looped)).toBe("a → b → c → a");
  });

  it("imports nothing from outside src/ (workers/, bench/, test/)", () => {
    const outside = [...graph.entries()].flatMap(([from, edges]) =>
      [...edges]
        .filter((to) => !to.startsWith("..") && to.includes("/"))
        .map((to) => `${from} → ${to}`),
    );
    expect(outside).toEqual([]);
  });

  it(`keeps every file of src/ within ${MAX_LINES} lines`, () => {
    const long = sourceFiles(SRC)
      .map((file) => ({
        file: relative(REPO_ROOT, file),
        lines: readFileSync(file, "utf8").split("\n").length,
      }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it("cites only documents and README headings that exist", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const headings = new Set([...readme.matchAll(/^#+ (.+)$/gm)].map((m) => m[1] as string));
    const broken: string[] = [];
    for (const file of [...sourceFiles(SRC), ...sourceFiles(join(REPO_ROOT, "workers"))]) {
      const text = readFileSync(file, "utf8");
      const where = relative(REPO_ROOT, file);
      for (const [, doc] of text.matchAll(/\b((?:docs\/)?[\w-]+\.md)\b/g)) {
        if (doc !== "README.md" && !existsSync(join(REPO_ROOT, doc as string)))
          broken.push(`${where}: ${doc}`);
      }
      for (const [, heading] of text.matchAll(/README, "([^"]+)"/g)) {
        if (!headings.has(heading as string)) broken.push(`${where}: README, "${heading}"`);
      }
    }
    expect(broken).toEqual([]);
  });
});
