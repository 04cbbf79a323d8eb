import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { ConfigError } from "./config";

/** The file every command reads from its working directory, when there is one. */
export const DEFAULT_ENV_FILE = ".env";

/**
 * Settings from a dotenv file, applied under the real environment: a variable already set in the
 * environment (even to "") keeps its value, as with `docker compose` and Node's own loader.
 * `named`: a file the user named (--env-file), which must exist; otherwise `.env`, if present.
 * Returns the path read, or undefined when there was no `.env` to read.
 */
export function applyEnvFile(
  named: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const path = named ?? DEFAULT_ENV_FILE;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (named === undefined && code === "ENOENT") return undefined;
    const what = code === "ENOENT" ? "no such file" : `cannot read it (${code})`;
    throw new ConfigError(`env file ${path}: ${what}`);
  }
  const malformed = firstMalformedLine(text);
  if (malformed !== undefined) {
    // The line itself is not quoted: it may hold a password.
    throw new ConfigError(
      `env file ${path}: line ${malformed} is not NAME=value (comments start with #)`,
    );
  }
  for (const [name, value] of Object.entries(parseEnv(text))) {
    // Stryker disable next-line ConditionalExpression: parseEnv gives strings only; the check is for the type
    if (env[name] === undefined && value !== undefined) env[name] = value;
  }
  return path;
}

const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*(.*)$/;
const QUOTES = ['"', "'", "`"];

/**
 * The number of the first line that is neither blank, a comment nor `NAME=value` (a quoted value
 * may run over several lines). Node's parser skips such a line silently, or worse, glues it to
 * the next one's name: a typo would quietly leave a setting at its default.
 */
export function firstMalformedLine(text: string): number | undefined {
  const lines = text.split(/\r?\n/);
  let openQuote: string | undefined;
  for (const [index, line] of lines.entries()) {
    if (openQuote !== undefined) {
      if (line.includes(openQuote)) openQuote = undefined;
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = ASSIGNMENT.exec(line);
    if (!match) return index + 1;
    // Stryker disable next-line StringLiteral: the group (.*) always matches; "" is for the type
    const value = match[1] ?? "";
    const quote = QUOTES.find((q) => value.startsWith(q));
    if (quote !== undefined && !value.slice(1).includes(quote)) openQuote = quote;
  }
  return undefined;
}
