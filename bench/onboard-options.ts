import { parseArgs } from "node:util";
import { MAX_GUESTS_PER_JOB } from "../src/jobs/guest-accounts-job";
import { UsageError } from "./options";

export const ONBOARD_USAGE = `usage: npm run bench:onboard -- [options]

Writes onboarding jobs (create-guest-accounts) of N guests, split into groups of each chunk size,
and times them through two real worker processes (node dist/src/cli/main.js worker,
WORKER_CONCURRENCY=10, AXELNAC_MAX_IN_FLIGHT=8, passwords sealed) against the in-process
AxelNAC simulator (8 requests at once) and a private redis-server: from the write to the last
guest's SMS accepted. Prints guests/s, the wait for the first SMS, per-guest latency, requests
and how busy the appliance was. Every run checks that each guest got exactly one SMS carrying
the password the appliance holds, else the bench fails. An untimed warm-up run comes first.

options:
  --chunk-sizes LIST  guests per onboarding job, comma separated (default 1,5,10,25,50,100);
                      beyond about 125 guests the simulator refuses the request (413 over
                      64 KiB) or the courier cuts the appliance's answer (64 KiB): see README
  --guests N          guests per run (default 2000)
  --item-ms MS        the appliance's cost per imported guest: bcrypt + SQL (default 30)
  --send-ms MS        the simulator's latency added to every API answer: an SMS send's cost,
                      and a fixed cost per bulk_import too (default 10)
  --runs N            runs of every chunk size, the order reversed every other run (default 1)
  --run-timeout S     seconds allowed for one run (default 120)
  --keep-logs         keep the workers' log files (printed at the end)
  --json              print one JSON object instead of the table
  --help              show this help

The whole bench gives up after 60 minutes.`;

/**
 * 250 would belong here, but a bulk_import of so many guests is refused by the simulator (a request
 * body over 64 KiB) and its answer would be cut by the courier's client (64 KiB).
 */
export const DEFAULT_CHUNK_SIZES = [1, 5, 10, 25, 50, 100];

export interface OnboardOptions {
  chunkSizes: number[];
  guests: number;
  itemMs: number;
  sendMs: number;
  runs: number;
  runTimeoutMs: number;
  keepLogs: boolean;
  json: boolean;
}

/** Parses the bench's flags; `undefined` means --help was asked for. */
export function parseOnboardArgs(argv: string[]): OnboardOptions | undefined {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  return {
    chunkSizes: chunkSizes(values["chunk-sizes"]),
    guests: wholeNumber("--guests", values.guests ?? "2000", 1, 100_000),
    itemMs: wholeNumber("--item-ms", values["item-ms"] ?? "30", 0, 10_000),
    sendMs: wholeNumber("--send-ms", values["send-ms"] ?? "10", 0, 10_000),
    runs: wholeNumber("--runs", values.runs ?? "1", 1, 20),
    runTimeoutMs: wholeNumber("--run-timeout", values["run-timeout"] ?? "120", 1, 3_600) * 1_000,
    keepLogs: values["keep-logs"] ?? false,
    json: values.json ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      "chunk-sizes": { type: "string" },
      guests: { type: "string" },
      "item-ms": { type: "string" },
      "send-ms": { type: "string" },
      runs: { type: "string" },
      "run-timeout": { type: "string" },
      "keep-logs": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
}

function chunkSizes(text: string | undefined): number[] {
  if (text === undefined) return [...DEFAULT_CHUNK_SIZES];
  const sizes = text
    .split(",")
    .map((part) => wholeNumber("--chunk-sizes", part.trim(), 1, MAX_GUESTS_PER_JOB));
  return [...new Set(sizes)];
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`${flag}: "${text}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}
