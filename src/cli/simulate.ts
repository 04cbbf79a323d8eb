import { SIMULATOR_DEFAULT_CREDENTIALS, simulatorCredentialsFromEnv } from "../config/config";
import { parseDuration } from "../config/duration";
import { createLogger, type Logger } from "../logging/logger";
import { readGuestsFile, type SimulatorOptions, startSimulator } from "../simulator/index";
import { type ApiAccountOptions, resolveAccount } from "../simulator/options";
import { type CommandLine, readArguments, readFlags, UsageError } from "./command";
import { type CommandIo, EXIT } from "./io";

export const SIMULATE_USAGE = `usage: axelnac-courier simulate [options]

Runs a local AxelNAC API (login, token_info, sms_gateways/send_user_credentials) until
interrupted. Credentials default to AXELNAC_USERNAME / AXELNAC_PASSWORD, else admin / admin.

options:
  --port N             port to listen on (default 9999; 0 picks a free one)
  --host HOST          address to listen on (default 127.0.0.1)
  --username NAME      API user name
  --password SECRET    API password
  --account NAME:SECRET[:ACTIONS]
                       one more API account (repeat for more), allowed only the admin
                       actions listed (comma-separated, e.g. SYSTEM_READ; default none):
                       one without SYSTEM_CREATE is refused 403 on a send
  --idle-timeout D     token idle timeout (default 15m)
  --max-lifetime D     token maximum lifetime (default 12h)
  --tls                serve HTTPS with a generated self-signed certificate
  --latency D          delay added to every API answer (default 0)
  --fail-rate R        share 0..1 of sends answered 500 (default 0)
  --guests FILE        CSV of "pid,telephone": only these guests exist
  --sources A,B        the known source_id values (default: any)
  --max-concurrent N   requests served at once, the rest queue (default 8)
  --help               show this help

Durations: 500ms, 30s, 15m, 12h, or plain milliseconds.`;

const FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  username: { type: "string" },
  password: { type: "string" },
  account: { type: "string", multiple: true },
  "idle-timeout": { type: "string" },
  "max-lifetime": { type: "string" },
  tls: { type: "boolean" },
  latency: { type: "string" },
  "fail-rate": { type: "string" },
  guests: { type: "string" },
  sources: { type: "string" },
  "max-concurrent": { type: "string" },
  help: { type: "boolean" },
} as const;

/**
 * `axelnac-courier simulate`: runs the simulator until SIGINT or SIGTERM (or `stop`, for tests
 * and embedding), then closes it and resolves 0. Usage errors resolve 2 with a message naming
 * the flag.
 */
export async function runSimulate(
  argv: string[],
  io: CommandIo,
  stop?: AbortSignal,
): Promise<number> {
  const parsed = readArguments(argv, io, SIMULATE_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const { options, passwordShown } = parsed.args;

  const logger = simulatorLogger(io);
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  try {
    simulator = await startSimulator({ ...options, logger });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    io.stderr.write(`simulate: cannot start: ${code ?? "ERROR"}: ${message}\n`);
    return EXIT.failed;
  }

  io.stdout.write(`AxelNAC simulator listening on ${simulator.url}\n`);
  io.stdout.write("A worker delivers to it with these settings (in .env, or exported):\n");
  const settings = [
    `AXELNAC_URL=${simulator.url}`,
    `AXELNAC_USERNAME=${options.username}`,
    `AXELNAC_PASSWORD=${passwordShown}`,
    ...(simulator.caFile ? [`AXELNAC_CA_FILE=${simulator.caFile}`] : []),
  ];
  for (const line of settings) io.stdout.write(`${line}\n`);
  io.stdout.write(
    `Control API: ${simulator.url}/_simulator/ (GET outbox, stats, faults; POST faults, revoke-tokens, down, reset)\n`,
  );

  const reason = await stopRequested(stop);
  logger.info({ reason }, "simulator: stopping");
  await simulator.close();
  return EXIT.ok;
}

interface SimulateArguments {
  options: SimulatorOptions;
  /**
   * What the settings it prints say for AXELNAC_PASSWORD: the simulator's own demo password, which
   * is no secret; a password the user chose is never printed back, only where it came from.
   */
  passwordShown: string;
}

/** Every flag's value is checked here, a --guests file read, before anything starts. */
const SIMULATE_COMMAND_LINE: CommandLine<SimulateArguments> = {
  usage: SIMULATE_USAGE,
  prefix: "simulate: ",
  blankLine: true,
  parse(argv) {
    const values = readFlags(argv, FLAGS);
    if (values.help) return "help";
    return { options: toSimulatorOptions(values), passwordShown: passwordShown(values) };
  },
};

function passwordShown(values: FlagValues): string {
  if (values.password !== undefined) return "<as given by --password>";
  if (process.env.AXELNAC_PASSWORD) return "<as set in your environment>";
  return SIMULATOR_DEFAULT_CREDENTIALS.password;
}

type FlagValues = {
  [K in Exclude<keyof typeof FLAGS, "account">]?: (typeof FLAGS)[K]["type"] extends "boolean"
    ? boolean
    : string;
} & { account?: string[] };

function toSimulatorOptions(values: FlagValues): SimulatorOptions {
  const credentials = simulatorCredentialsFromEnv();
  const options: SimulatorOptions = {
    port: wholeNumber("--port", values.port ?? "9999", 0, 65_535),
    host: values.host ?? "127.0.0.1",
    username: values.username ?? credentials.username,
    password: values.password ?? credentials.password,
    idleTimeoutMs: duration("--idle-timeout", values["idle-timeout"] ?? "15m", 1),
    maxLifetimeMs: duration("--max-lifetime", values["max-lifetime"] ?? "12h", 1),
    tls: values.tls ?? false,
    maxConcurrent: wholeNumber("--max-concurrent", values["max-concurrent"] ?? "8", 1, 10_000),
  };
  if (values.latency !== undefined) options.latencyMs = duration("--latency", values.latency, 0);
  if (values["fail-rate"] !== undefined)
    options.failRate = rate("--fail-rate", values["fail-rate"]);
  if (values.guests !== undefined) {
    try {
      options.guests = readGuestsFile(values.guests);
    } catch (error) {
      throw new UsageError(`--guests: ${(error as Error).message}`);
    }
  }
  if (values.sources !== undefined) options.sources = sourceList(values.sources);
  if (values.account !== undefined) options.accounts = values.account.map(accountFlag);
  return options;
}

/**
 * `NAME:SECRET[:ACTIONS]`. The secret runs to the last colon when what follows it reads as a
 * list of admin actions, so a secret may hold colons of its own.
 */
function accountFlag(text: string): ApiAccountOptions {
  const nameEnd = text.indexOf(":");
  if (nameEnd <= 0) throw new UsageError(`--account: "${text}" is not NAME:SECRET[:ACTIONS]`);
  const username = text.slice(0, nameEnd);
  const rest = text.slice(nameEnd + 1);
  const actionsStart = rest.lastIndexOf(":");
  const tail = actionsStart < 0 ? "" : rest.slice(actionsStart + 1);
  const hasActions = /^[A-Z][A-Z0-9_]*(,[A-Z][A-Z0-9_]*)*$/.test(tail);
  const account: ApiAccountOptions = {
    username,
    password: hasActions ? rest.slice(0, actionsStart) : rest,
    adminActions: hasActions ? tail.split(",") : [],
  };
  try {
    resolveAccount(account);
  } catch (error) {
    throw new UsageError(`--account: ${(error as Error).message}`);
  }
  return account;
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag}: "${text}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

function duration(flag: string, text: string, min: number): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
  if (ms < min) throw new UsageError(`${flag}: must be at least ${min}ms`);
  return ms;
}

function rate(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(`${flag}: "${text}" is not a number from 0 to 1`);
  }
  return value;
}

function sourceList(text: string): string[] {
  const sources = text
    .split(",")
    .map((source) => source.trim())
    .filter((source) => source !== "");
  if (sources.length === 0) throw new UsageError(`--sources: "${text}" names no source`);
  return sources;
}

/** Log lines go where the command's output goes, pretty on a terminal. */
function simulatorLogger(io: CommandIo): Logger {
  if (io.stdout === process.stdout) return createLogger({ name: "axelnac-simulator" });
  return createLogger({ name: "axelnac-simulator", format: "json", destination: io.stdout });
}

/** Resolves with what asked the simulator to stop; removes its signal handlers either way. */
function stopRequested(stop?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const finish = (reason: string) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      stop?.removeEventListener("abort", onAbort);
      resolve(reason);
    };
    const onSignal = (signal: NodeJS.Signals) => finish(signal);
    const onAbort = () => finish("abort");
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    if (stop?.aborted) finish("abort");
    else stop?.addEventListener("abort", onAbort, { once: true });
  });
}
