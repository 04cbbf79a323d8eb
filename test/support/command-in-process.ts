import { Readable, Writable } from "node:stream";
import { mainReportingCrashes } from "../../src/cli/main";
import type { CliResult } from "./cli";
import { CLI_CWD } from "./processes";

/** A stream that keeps what is written to it, at once (a logger's lines included). */
class Collected extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/**
 * Commands that log to the process' own stdout, not to the io they are given: run in-process,
 * their log would escape the result and the test's checks of it.
 */
const LOGGING_TO_PROCESS_STDOUT = new Set(["check", "worker", "serve"]);

let previous: Promise<unknown> = Promise.resolve();

/**
 * Runs `axelnac-courier ARGS` in this process, through the binary's own entry point, with what
 * `runCli` gives a spawned one: `env` (and LOG_FORMAT=json) as the whole environment, CLI_CWD as
 * the working directory, `input` on stdin. It spares the half second a Node start and the imports
 * cost per command, for tests of what a command does; what belongs to the process (its exit, its
 * signals, a closed pipe) stays with `runCli`. Commands run one at a time: each swaps the
 * process' environment and working directory for its own while it runs.
 */
export function runCommand(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): Promise<CliResult> {
  const command = args[0]?.startsWith("--env-file") ? args[args[0].includes("=") ? 1 : 2] : args[0];
  if (command !== undefined && LOGGING_TO_PROCESS_STDOUT.has(command)) {
    return Promise.reject(
      new Error(`${command} logs to the process' stdout: run it with runCli, as a process`),
    );
  }
  const run = previous.then(() => runAlone(args, env, input));
  previous = run.catch(() => undefined);
  return run;
}

async function runAlone(
  args: string[],
  env: Record<string, string>,
  input: string | undefined,
): Promise<CliResult> {
  const stdout = new Collected();
  const stderr = new Collected();
  const stdin = Readable.from([Buffer.from(input ?? "")], { objectMode: false });
  const savedEnv = process.env;
  const savedCwd = process.cwd();
  process.env = { PATH: savedEnv.PATH ?? "", LOG_FORMAT: "json", ...env };
  process.chdir(CLI_CWD);
  try {
    // `enqueue` reads its password from `io.stdin` when it is given one.
    const io = { stdout, stderr, stdin };
    const code = await mainReportingCrashes(args, io);
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    process.env = savedEnv;
    process.chdir(savedCwd);
  }
}
