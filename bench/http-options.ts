import { parseArgs } from "node:util";
import { UsageError, wholeNumber } from "./options";

export const HTTP_BENCH_USAGE = `usage: npm run bench:http -- [options]

Loads POST /v1/deliveries of the real HTTP API (buildApp, as \`serve\` builds it: API-key
authentication, the rate limit, the Idempotency-Key layer when the app registers it, the
producer), a bare Fastify route that only calls queue.add, and that route with an
Idempotency-Key's claim and stored answer in Redis (keyed), each in a child process of its own,
on one private redis-server, with autocannon: one guest per request, each request with a pid,
password and Idempotency-Key of its own and an Authorization header. Runs rotate which side
goes first; Redis is flushed before each run. On a machine busy with other work, run it at
real-time priority (chrt -f 10 npm run bench:http) so that the other work waits.

options:
  --runs N            timed runs of each side, alternating which goes first (default 3)
  --duration S        seconds of load per run (default 10)
  --connections N     connections autocannon keeps open (default 20)
  --log-level LEVEL   the API's LOG_LEVEL (default info, the production default)
  --cpu-prof DIR      run the API's process with node --cpu-prof, profile written to DIR
  --json              print one JSON object instead of the table
  --help              show this help`;

export interface HttpBenchOptions {
  runs: number;
  durationS: number;
  connections: number;
  logLevel: string;
  cpuProfDir: string | undefined;
  json: boolean;
}

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

/** Parses bench:http's flags; `undefined` means --help was asked for. */
export function parseHttpBenchArgs(argv: string[]): HttpBenchOptions | undefined {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  const logLevel = values["log-level"] ?? "info";
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(`--log-level: "${logLevel}" is not one of ${LOG_LEVELS.join(", ")}`);
  }
  return {
    runs: wholeNumber("--runs", values.runs ?? "3", 1, 50),
    durationS: wholeNumber("--duration", values.duration ?? "10", 1, 600),
    connections: wholeNumber("--connections", values.connections ?? "20", 1, 1_000),
    logLevel,
    cpuProfDir: values["cpu-prof"],
    json: values.json ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      runs: { type: "string" },
      duration: { type: "string" },
      connections: { type: "string" },
      "log-level": { type: "string" },
      "cpu-prof": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
}
