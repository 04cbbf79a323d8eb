import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const REPO_ROOT = join(__dirname, "..", "..");

/**
 * Where the commands the tests run start: a directory with no `.env`. Every command reads
 * `./.env`; started in the repository (jest's cwd), a developer's own `.env` would set whatever a
 * test leaves unset, and the test would pass or fail by it. A test of `.env` passes a cwd of its own.
 */
export const CLI_CWD = join(tmpdir(), "axelnac-courier-tests-cwd");
mkdirSync(CLI_CWD, { recursive: true });

/** Runs a compiled fixture (the global setup builds `dist/`) as a separate OS process. */
export function spawnFixture(
  name: string,
  env: Record<string, string>,
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [join(REPO_ROOT, "dist", "test", "fixtures", `${name}.js`)], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Resolves with the first stdout line that `matches`, or rejects when the process exits first. */
export function waitForLine(
  child: ChildProcessWithoutNullStreams,
  matches: (line: string) => boolean,
  timeoutMs = 20_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(
      () => finish(new Error(`no matching line within ${timeoutMs} ms; stderr: ${stderr}`)),
      timeoutMs,
    );
    const onExit = (code: number | null) =>
      finish(new Error(`process exited (${code}) first; stderr: ${stderr}`));
    function finish(error: Error | undefined, line?: string) {
      clearTimeout(timer);
      lines.close();
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(line as string);
    }
    lines.on("line", (line) => {
      if (matches(line)) finish(undefined, line);
    });
    child.once("exit", onExit);
  });
}

export function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}
