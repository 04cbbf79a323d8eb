import { type ParseArgsConfig, parseArgs } from "node:util";
import { type CommandIo, EXIT } from "./io";

/** A bad argument, found before anything is done; the message names it. */
export class UsageError extends Error {}

/** How a command reads its arguments, and how it answers `--help` and a bad one. */
export interface CommandLine<T> {
  /** Printed on stdout for `--help`, and on stderr after a bad argument's message. */
  usage: string;
  /** Leads a bad argument's message: `enqueue: `. */
  prefix: string;
  /** A blank line between a bad argument's message and the usage (the longer usages have one). */
  blankLine: boolean;
  /** What the command runs with, or "help"; throws, any error, for a bad argument. */
  parse(argv: string[]): T | "help";
}

/** The arguments to run with, or the exit status the command returns at once. */
export type ReadArguments<T> = { args: T } | { exit: number };

/**
 * The first step of every command: `--help` prints the usage on stdout and exits 0; a bad
 * argument prints its message and the usage on stderr and exits 2.
 */
export function readArguments<T>(
  argv: string[],
  io: CommandIo,
  command: CommandLine<T>,
): ReadArguments<T> {
  let parsed: T | "help";
  try {
    parsed = command.parse(argv);
  } catch (error) {
    const gap = command.blankLine ? "\n" : "";
    io.stderr.write(`${command.prefix}${(error as Error).message}\n${gap}${command.usage}\n`);
    return { exit: EXIT.usage };
  }
  if (parsed === "help") {
    io.stdout.write(`${command.usage}\n`);
    return { exit: EXIT.ok };
  }
  return { args: parsed };
}

/** `--help` or `-h` as a command's first argument. */
export function isHelp(arg: string | undefined): boolean {
  return arg === "--help" || arg === "-h";
}

/** The command line of a command that takes no arguments: `check`, `worker`. */
export function noArguments(name: string, usage: string): CommandLine<undefined> {
  return {
    usage,
    prefix: "",
    blankLine: false,
    parse(argv) {
      if (isHelp(argv[0])) return "help";
      if (argv.length > 0) {
        throw new UsageError(`${name} takes no arguments, got "${argv.join(" ")}"`);
      }
      return undefined;
    },
  };
}

type Flags = NonNullable<ParseArgsConfig["options"]>;

/** What `readFlags` gives back, named so that the build can declare it (it emits .d.ts files). */
type FlagValues<T extends Flags> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>
>["values"];

/** The flags in `argv`, read strictly: an unknown flag or a stray argument throws. */
export function readFlags<T extends Flags>(argv: string[], flags: T): FlagValues<T> {
  return parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false }).values;
}
