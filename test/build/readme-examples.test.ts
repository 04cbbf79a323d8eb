/**
 * Every code example of README.md runs as written, in README order, against the installed package:
 * shell blocks through `npx axelnac-courier` in a folder where the tarball is installed, with a
 * private Redis and the simulator as the appliance (the environment set explicitly); JavaScript
 * blocks as programs of that folder. A block is otherwise output (`text`), data (`json`, parsed),
 * run by another test that reads it from the README, or marked as not run with its reason.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { generateKeyEntry } from "../../src/secrets";
import { DeliveryHarness } from "../support/delivery-harness";
import { type InstalledPackage, packAndInstall } from "../support/installed-package";
import { REPO_ROOT } from "../support/processes";
import {
  type ExampleHandling,
  handlingOf,
  type ReadmeExample,
  readmeExamples,
  readmeText,
} from "../support/readme-examples";
import { waitUntil } from "../support/wait";

const execFileAsync = promisify(execFile);

const examples = readmeExamples(readmeText()).map((example) => ({
  example,
  handling: handlingOf(example),
}));

function label({ line, info, body }: ReadmeExample): string {
  return `README.md line ${line} (${info || "no info string"}): ${body.split("\n")[0]?.slice(0, 70)}`;
}

/** The registration file the README's import examples name (guests known to the simulator). */
const REGISTRATIONS = "pid,password\nann,Ann-Pa55-1\nbob,Bob-Pa55-2\n";

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** A started block: its process group, what it printed, and how it ended. */
/** A JSON log line's fields, or undefined for any other line. */
function parseLogLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

interface Background {
  line: number;
  child: ChildProcess;
  output: string;
  ended: Promise<Finished>;
}

/** A shell block as a process group of its own (so that stopping it stops npx and node too). */
function startShell(body: string, cwd: string, env: Record<string, string>): Background {
  const child = spawn("bash", ["-e", "-o", "pipefail", "-c", body], {
    cwd,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const started: Background = {
    line: 0,
    child,
    output: "",
    ended: Promise.resolve(undefined as never),
  };
  const collect = (chunk: Buffer) => {
    started.output += chunk.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  started.ended = new Promise((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, output: started.output })),
  );
  return started;
}

describe("README.md's code examples", () => {
  it("are each run here, run by a named test, output, data, or marked as not run with a reason", () => {
    expect(examples.length).toBeGreaterThan(20);
    const problems = examples
      .filter(({ handling }) => handling.kind === "problem")
      .map(
        ({ example, handling }) =>
          `${label(example)}: ${(handling as { problem: string }).problem}`,
      );
    expect(problems).toEqual([]);
  });

  it("finds a new block that is neither run nor marked, or marked without a reason, and reads markers of indented blocks", () => {
    const text = [
      "```python",
      "print('new')",
      "```",
      "<!-- example: not run -->",
      "```sh",
      "true",
      "```",
      "- a list item:",
      "",
      "  <!-- example: not run — needs an appliance of your own -->",
      "  ```sh",
      "  npx axelnac-courier check",
      "  ```",
      "",
    ].join("\n");
    const found = readmeExamples(text);
    expect(found.map(handlingOf).map((handling) => handling.kind)).toEqual([
      "problem",
      "problem",
      "not-run",
    ]);
    expect(found[2]?.body).toBe("npx axelnac-courier check\n");
  });

  it("name, when run by another test, a test file that reads README.md", () => {
    const runBy = examples.flatMap(({ handling }) =>
      handling.kind === "run-by" ? [handling] : [],
    );
    expect(runBy.length).toBeGreaterThan(0);
    for (const { testFile } of runBy) {
      const path = join(REPO_ROOT, testFile);
      expect({ testFile, exists: existsSync(path) }).toEqual({ testFile, exists: true });
      expect(readFileSync(path, "utf8")).toContain("README");
    }
  });

  const json = examples.filter(({ handling }) => handling.kind === "parse-json");
  it.each(json.map(({ example }) => [label(example), example] as const))(
    "%s is valid JSON",
    (_, example) => {
      expect(() => JSON.parse(example.body)).not.toThrow();
    },
  );

  describe("run in README order, against the installed package, a private Redis and the simulator", () => {
    let installed: InstalledPackage | undefined;
    let h: DeliveryHarness | undefined;
    let env: Record<string, string> = {};
    const backgrounds: Background[] = [];

    beforeAll(async () => {
      installed = await packAndInstall();
      writeFileSync(join(installed.dir, "registrations.csv"), REGISTRATIONS);
      h = await DeliveryHarness.start();
      env = {
        ...h.workerEnv(),
        HOME: process.env.HOME ?? installed.dir,
        LOG_LEVEL: "info",
        JOB_ENCRYPTION_KEYS: generateKeyEntry(),
      };
    }, 180_000);

    afterAll(async () => {
      for (const background of backgrounds) {
        if (background.child.exitCode === null && background.child.signalCode === null) {
          process.kill(-(background.child.pid as number), "SIGKILL");
        }
      }
      await h?.close();
      installed?.remove();
    });

    const runnable = examples.filter(
      (entry): entry is { example: ReadmeExample; handling: ExampleHandling } =>
        entry.handling.kind === "run" || entry.handling.kind === "background",
    );

    for (const { example, handling } of runnable) {
      it(`${label(example)} ${handling.kind === "background" ? "starts" : "runs"}`, async () => {
        const dir = (installed as InstalledPackage).dir;
        if (handling.kind === "background") {
          const started = startShell(example.body, dir, env);
          started.line = example.line;
          backgrounds.push(started);
          // Running once it has said something; a command that ends instead has failed.
          const first = await Promise.race([
            waitUntil(() => started.output.trim() !== "", {
              timeoutMs: 30_000,
              what: "its first output",
            }),
            started.ended.then((ended) => ended),
          ]);
          expect(first).toBeUndefined();
          return;
        }
        const language = (handling as { language: string }).language;
        const finished = await runBlock(language, example, dir, env);
        // What it printed is shown when it fails.
        const ending =
          finished.code === 0 ? "exit 0" : `exit ${finished.code}:\n${finished.output}`;
        expect(ending).toBe("exit 0");
      }, 90_000);
    }

    it("the worker the README starts delivers what its examples enqueued, and every block it started stops on SIGTERM", async () => {
      const harness = h as DeliveryHarness;
      await waitUntil(
        async () => {
          const counts = await harness.queue.getJobCounts(
            "waiting",
            "prioritized",
            "active",
            "delayed",
          );
          return Object.values(counts).every((count) => count === 0);
        },
        { timeoutMs: 30_000, what: "the README's jobs all delivered" },
      );
      expect(await harness.queue.getFailedCount()).toBe(0);
      // The README's worker runs `AXELNAC_URL=simulator`, a simulator inside its own process: its
      // deliveries are read from its log lines, the others' from the harness's simulator.
      const pids = new Set(harness.sim.outbox().map((sms) => sms.pid));
      for (const background of backgrounds)
        for (const line of background.output.split("\n")) {
          const entry = parseLogLine(line);
          if (entry?.outcome === "delivered" && typeof entry.pid === "string") pids.add(entry.pid);
        }
      expect([...pids].sort()).toEqual(expect.arrayContaining(["ann", "bob", "guest1", "guest2"]));

      expect(backgrounds.length).toBeGreaterThan(0);
      for (const background of backgrounds)
        process.kill(-(background.child.pid as number), "SIGTERM");
      const ended = await Promise.all(backgrounds.map((background) => background.ended));
      // Each ends by that signal (npx dies of it) or exits 0; none had ended on its own before.
      const endings = ended.map(({ code, signal }) =>
        code === 0 ? "exit 0" : (signal ?? `exit ${code}`),
      );
      expect(endings).toEqual(backgrounds.map(() => expect.stringMatching(/^(exit 0|SIGTERM)$/)));
    }, 60_000);
  });
});

/** Runs one block to its end: a shell script, or a program of the folder the package is installed in. */
async function runBlock(
  language: string,
  example: ReadmeExample,
  dir: string,
  env: Record<string, string>,
): Promise<Finished> {
  if (language === "sh") return startShell(example.body, dir, env).ended;
  const base = join(dir, `readme-line-${example.line}`);
  let program: string;
  if (language === "ts") {
    writeFileSync(`${base}.mts`, example.body);
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    await execFileAsync(process.execPath, [
      tsc,
      "--module",
      "nodenext",
      "--target",
      "es2022",
      "--strict",
      "--types",
      "node",
      "--typeRoots",
      join(REPO_ROOT, "node_modules", "@types"),
      `${base}.mts`,
    ]).catch((error: { stdout: string }) => {
      throw new Error(`README.md line ${example.line} does not compile:\n${error.stdout}`);
    });
    program = `${base}.mjs`;
  } else {
    program = `${base}.${language === "mjs" ? "mjs" : "cjs"}`;
    writeFileSync(program, example.body);
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [program], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("close", (code, signal) => resolve({ code, signal, output }));
  });
}
