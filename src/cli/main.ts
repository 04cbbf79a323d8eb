#!/usr/bin/env -S node --
// `--`: Node itself takes a script argument `--env-file MISSING` as its own option and exits 9
// before the command runs (nodejs/node#54232); after `--` it leaves every argument to the command.
import { ConfigError } from "../config/config";
import { applyEnvFile } from "../config/env-file";
import { UsageError } from "./command";
import { takeEnvFileArgument } from "./env-file-argument";
import { type Command, type CommandIo, EXIT, exitQuietlyOnClosedPipe } from "./io";

/**
 * Each command's module is loaded only when that command runs: together they pull in the HTTP
 * server, the simulator, the appliance client and the worker, which cost a command that uses none
 * of them (`history`, `--help`) most of its start-up time.
 */
const COMMANDS: Record<string, { load: () => Command; summary: string }> = {
  check: {
    load: () => (require("./check") as typeof import("./check")).runCheck,
    summary: "log in to the appliance, look at Redis, and report",
  },
  demo: {
    load: () => (require("./demo") as typeof import("./demo")).runDemo,
    summary: "deliver to sample guests through the simulator, then clean up",
  },
  enqueue: {
    load: () => (require("./enqueue") as typeof import("./enqueue")).runEnqueue,
    summary: "enqueue one credential delivery (password on stdin)",
  },
  import: {
    load: () => (require("./import") as typeof import("./import")).runImport,
    summary: "enqueue a delivery per row of a registration file (CSV)",
  },
  onboard: {
    load: () => (require("./onboard") as typeof import("./onboard")).runOnboard,
    summary:
      "create guests' accounts from an event's registration export, then SMS their passwords",
  },
  simulate: {
    load: () => (require("./simulate") as typeof import("./simulate")).runSimulate,
    summary: "run the built-in AxelNAC API simulator",
  },
  status: {
    load: () => (require("./status") as typeof import("./status")).runStatus,
    summary: "how far deliveries are, per batch or for the whole queue",
  },
  failed: {
    load: () => (require("./failed") as typeof import("./failed")).runFailed,
    summary: "list, retry or purge failed deliveries",
  },
  batch: {
    load: () => (require("./batch") as typeof import("./batch")).runBatch,
    summary: "pause, resume or cancel a batch's deliveries",
  },
  history: {
    load: () => (require("./history") as typeof import("./history")).runHistory,
    summary: "what became of deliveries: by pid, reference, batch or job",
  },
  report: {
    load: () => (require("./report") as typeof import("./report")).runReport,
    summary: "a CSV of a batch, one row per guest, for follow-up",
  },
  keys: {
    load: () => (require("./keys") as typeof import("./keys")).runKeys,
    summary: "generate, rotate or count the keys that seal secrets at rest",
  },
  worker: {
    load: () => (require("./worker") as typeof import("./worker")).runWorker,
    summary: "deliver queued credential jobs until stopped",
  },
  serve: {
    load: () => (require("./serve") as typeof import("./serve")).runServe,
    summary: "run the HTTP API for upstream systems until stopped",
  },
  "api-keys": {
    load: () => (require("./api-keys") as typeof import("./api-keys")).runApiKeys,
    summary: "create, list or revoke the HTTP API's keys",
  },
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

/** The `axelnac-courier` command line: runs the command `argv` names, writing to `io`. */
export async function main(
  argv: string[],
  io: CommandIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
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
    return await command.load()(rest, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

/**
 * `main`, with an error no command answered reported as one line and exit 1 rather than a stack
 * trace: what the binary does with whatever a command throws.
 */
export async function mainReportingCrashes(argv: string[], io: CommandIo): Promise<number> {
  try {
    return await main(argv, io);
  } catch (error) {
    io.stderr.write(`axelnac-courier: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  exitQuietlyOnClosedPipe(process.stdout, process.stderr);
  mainReportingCrashes(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
  }).then((code) => {
    process.exitCode = code;
  });
}
