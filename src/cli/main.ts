#!/usr/bin/env -S node --
// `--`: Node itself takes a script argument `--env-file MISSING` as its own option and exits 9
// before the command runs (nodejs/node#54232); after `--` it leaves every argument to the command.
import { ConfigError } from "../config/config";
import { applyEnvFile } from "../config/env-file";
import { runApiKeys } from "./api-keys";
import { runBatch } from "./batch";
import { runCheck } from "./check";
import { UsageError } from "./command";
import { runDemo } from "./demo";
import { runEnqueue } from "./enqueue";
import { takeEnvFileArgument } from "./env-file-argument";
import { runFailed } from "./failed";
import { runHistory } from "./history";
import { runImport } from "./import";
import { type Command, EXIT, exitQuietlyOnClosedPipe } from "./io";
import { runKeys } from "./keys";
import { runOnboard } from "./onboard";
import { runReport } from "./report";
import { runServe } from "./serve";
import { runSimulate } from "./simulate";
import { runStatus } from "./status";
import { runWorker } from "./worker";

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  check: { run: runCheck, summary: "log in to the appliance, look at Redis, and report" },
  demo: { run: runDemo, summary: "deliver to sample guests through the simulator, then clean up" },
  enqueue: { run: runEnqueue, summary: "enqueue one credential delivery (password on stdin)" },
  import: { run: runImport, summary: "enqueue a delivery per row of a registration file (CSV)" },
  onboard: {
    run: runOnboard,
    summary:
      "create guests' accounts from an event's registration export, then SMS their passwords",
  },
  simulate: { run: runSimulate, summary: "run the built-in AxelNAC API simulator" },
  status: { run: runStatus, summary: "how far deliveries are, per batch or for the whole queue" },
  failed: { run: runFailed, summary: "list, retry or purge failed deliveries" },
  batch: { run: runBatch, summary: "pause, resume or cancel a batch's deliveries" },
  history: {
    run: runHistory,
    summary: "what became of deliveries: by pid, reference, batch or job",
  },
  report: { run: runReport, summary: "a CSV of a batch, one row per guest, for follow-up" },
  keys: { run: runKeys, summary: "generate, rotate or count the keys that seal secrets at rest" },
  worker: { run: runWorker, summary: "deliver queued credential jobs until stopped" },
  serve: { run: runServe, summary: "run the HTTP API for upstream systems until stopped" },
  "api-keys": { run: runApiKeys, summary: "create, list or revoke the HTTP API's keys" },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return [
    "usage: axelnac-courier [--env-file PATH] <command> [options]",
    "",
    "commands:",
    ...lines,
    "",
    "`axelnac-courier <command> --help` describes a command.",
    "Settings come from the environment, then from ./.env (or the file --env-file names,",
    "before or right after the command name); see the README or .env.example.",
    "",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const io = { stdout: process.stdout, stderr: process.stderr };
  let global: ReturnType<typeof takeEnvFileArgument>;
  try {
    global = takeEnvFileArgument(argv);
    applyEnvFile(global.envFile);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return EXIT.usage;
  }
  const [name, ...rest] = global.argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    (name ? io.stdout : io.stderr).write(usage());
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`unknown command "${name}"\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

if (require.main === module) {
  exitQuietlyOnClosedPipe(process.stdout, process.stderr);
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `axelnac-courier: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = EXIT.failed;
    },
  );
}
