import { UsageError } from "./command";

export interface GlobalArguments {
  /** The command name and its own arguments, --env-file taken out. */
  argv: string[];
  /** The file named by --env-file, which then replaces `.env`. */
  envFile: string | undefined;
}

/**
 * `--env-file PATH` or `--env-file=PATH`, taken from before the command name or right after it
 * (`axelnac-courier --env-file prod.env status`, `axelnac-courier status --env-file prod.env`).
 * Only those two places: anywhere later it would be one of the command's own arguments.
 */
export function takeEnvFileArgument(argv: string[]): GlobalArguments {
  const rest = [...argv];
  let envFile = takeAt(rest, 0);
  const afterCommand = takeAt(rest, 1);
  if (afterCommand !== undefined) {
    if (envFile !== undefined) throw new UsageError("--env-file: given twice");
    envFile = afterCommand;
  }
  return { argv: rest, envFile };
}

function takeAt(argv: string[], index: number): string | undefined {
  const arg = argv[index];
  if (arg === "--env-file") {
    const path = argv[index + 1];
    if (path === undefined || path === "") throw new UsageError("--env-file: needs a PATH");
    argv.splice(index, 2);
    return path;
  }
  if (arg?.startsWith("--env-file=")) {
    const path = arg.slice("--env-file=".length);
    if (path === "") throw new UsageError("--env-file: needs a PATH");
    argv.splice(index, 1);
    return path;
  }
  return undefined;
}
