import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { CLI_CWD, REPO_ROOT } from "./processes";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled `axelnac-courier` command, as a user would, and collects what it printed. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
  options: { cwd?: string } = {},
): Promise<CliResult> {
  return startCli(args, env, input, options).result;
}

/** `runCli`, with the process at hand while it runs (its pid, to look at what it does). */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
  options: { cwd?: string } = {},
): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, "dist", "src", "cli", "main.js"), ...args],
    {
      env: { PATH: process.env.PATH ?? "", LOG_FORMAT: "json", ...env },
      stdio: ["pipe", "pipe", "pipe"],
      cwd: options.cwd ?? CLI_CWD,
    },
  );
  const result = new Promise<CliResult>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
  return { child, result };
}

/** How a command that must end by itself ended: what it printed, when, and whether it had to be killed. */
export interface BoundedCliResult extends CliResult {
  elapsedMs: number;
  /** It had not ended by the deadline and was killed. */
  killed: boolean;
}

/** Runs the command as `runCli` does, killing it if it has not ended within `killAfterMs`. */
export function runCliWithin(
  killAfterMs: number,
  args: string[],
  env: Record<string, string> = {},
): Promise<BoundedCliResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, "dist", "src", "cli", "main.js"), ...args],
      { env: { PATH: process.env.PATH ?? "", LOG_FORMAT: "json", ...env }, cwd: CLI_CWD },
    );
    let stdout = "";
    let stderr = "";
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, killAfterMs);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started, killed });
    });
    child.stdin.end();
  });
}

/** The line every command that works on Redis writes on stderr first: which Redis, which queue. */
export const QUEUE_TARGET_LINE = /^redis \S+ db \S+ \((?:no )?TLS\), queue .+\n/m;

/** What a command wrote on stderr besides the line that names its Redis and queue. */
export function stderrBeyondTarget(stderr: string): string {
  return stderr.replace(QUEUE_TARGET_LINE, "");
}
