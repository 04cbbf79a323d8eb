import { parseArgs } from "node:util";

export const BENCH_USAGE = `usage: npm run bench -- [options]

Delivers the same jobs through the real worker (node dist/src/cli/main.js worker) and through a
bare BullMQ + undici worker, both in child processes, against the in-process AxelNAC simulator
(zero latency) and a private redis-server, and compares them.

options:
  --jobs N            deliveries per run (default 5000)
  --runs N            runs of each variant, alternating which goes first (default 3)
  --concurrency N     jobs at once per worker, and the simulator's gate (default 50)
  --no-info-run       skip the extra run of the real worker at LOG_LEVEL=info
  --no-sealed         run the real worker without a key ring: passwords in plaintext, as the
                      bare worker reads them (default: sealed, as in production)
  --run-timeout S     seconds allowed for one run's deliveries (default 60)
  --cpu-prof DIR      run the workers with node --cpu-prof, profiles written to DIR
  --keep-logs         keep the workers' log files (printed at the end)
  --json              print one JSON object instead of the table
  --help              show this help`;

export interface BenchOptions {
  jobs: number;
  runs: number;
  concurrency: number;
  infoRun: boolean;
  /** The courier's jobs carry sealed passwords and it holds the ring (JOB_ENCRYPTION_KEYS). */
  sealed: boolean;
  runTimeoutMs: number;
  cpuProfDir: string | undefined;
  keepLogs: boolean;
  json: boolean;
}

export class UsageError extends Error {}

/** Parses the bench's flags; `undefined` means --help was asked for. */
export function parseBenchArgs(argv: string[]): BenchOptions | undefined {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  return {
    jobs: wholeNumber("--jobs", values.jobs ?? "5000", 1, 1_000_000),
    runs: wholeNumber("--runs", values.runs ?? "3", 1, 50),
    concurrency: wholeNumber("--concurrency", values.concurrency ?? "50", 1, 1_000),
    infoRun: values["info-run"] ?? true,
    sealed: values.sealed ?? true,
    runTimeoutMs: wholeNumber("--run-timeout", values["run-timeout"] ?? "60", 1, 3_600) * 1_000,
    cpuProfDir: values["cpu-prof"],
    keepLogs: values["keep-logs"] ?? false,
    json: values.json ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    allowNegative: true,
    options: {
      jobs: { type: "string" },
      runs: { type: "string" },
      concurrency: { type: "string" },
      "info-run": { type: "boolean" },
      sealed: { type: "boolean" },
      "run-timeout": { type: "string" },
      "cpu-prof": { type: "string" },
      "keep-logs": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
}

/** A flag's whole number within [min, max], or a UsageError naming the flag. */
export function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag}: "${text}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}
