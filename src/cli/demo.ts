import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { readBatchStatus } from "../batches/batch-status";
import { readFailed } from "../batches/failed-jobs";
import { BUILT_IN_SIMULATOR, type Config, loadConfig } from "../config/config";
import { formatDuration } from "../config/duration";
import { createCommandLogger, type Logger } from "../logging/logger";
import { plural } from "../logging/plural";
import { redactRedisUrl } from "../redis/connection";
import { deleteKeysStartingWith } from "../redis/delete-keys";
import { type Simulator, startSimulator } from "../simulator";
import { connectOperator } from "../wiring/operator";
import { startDeliveryWorker } from "../worker/start";
import { type CommandLine, readArguments, readFlags, UsageError } from "./command";
import { type DemoRedis, howToGetRedis, provideRedis } from "./demo/demo-redis";
import { demoConfig, demoKeyPrefixes, describeEncryption, newDemoRun } from "./demo/demo-run";
import { followBatch } from "./demo/follow-batch";
import { importRegistrations } from "./demo/import-registrations";
import { writeSampleRegistrations } from "./demo/sample-registrations";
import { formatSummary } from "./demo/summary";
import { Teardown } from "./demo/teardown";
import { type CommandIo, EXIT } from "./io";

export const DEMO_USAGE = `usage: axelnac-courier demo [--guests N] [--workers N]

Shows the courier at work, touching no real data: writes a registrations file of sample guests,
imports it as one batch into a queue of the demo's own, delivers it with in-process workers to the
built-in AxelNAC simulator, shows the progress and a summary, then removes everything it made.

options:
  --guests N    sample guests to deliver to (default 1000)
  --workers N   delivery workers (default 2); they share one API token

Redis: REDIS_URL (default redis://127.0.0.1:6379) if it answers, else a private redis-server
started for the demo and deleted after it. With AXELNAC_URL set to an appliance (not "simulator"),
the demo delivers to it instead of the simulator: real SMS, to guests named guest-0001 and so on.

Exit status: 0 all delivered, 1 some failed, 2 bad arguments or no Redis, 130 interrupted.`;

const MAX_GUESTS = 1_000_000;
const MAX_WORKERS = 32;
/** Everything but the demo's own lines: they would drown them. */
const DEMO_LOG_LEVEL = "warn";

export async function runDemo(argv: string[], io: CommandIo): Promise<number> {
  const parsed = readArguments(argv, io, DEMO_COMMAND_LINE);
  if ("exit" in parsed) return parsed.exit;
  const config = loadConfig();
  const logger = createCommandLogger(DEMO_LOG_LEVEL, io.stderr);
  const teardown = new Teardown();
  const interrupt = onInterrupt();
  try {
    return await demo(config, parsed.args, io, logger, teardown, interrupt.signal);
  } finally {
    const problems = await teardown.run();
    for (const problem of problems) io.stderr.write(`demo: cleaning up: ${problem}\n`);
    interrupt.dispose();
  }
}

interface DemoOptions {
  guests: number;
  workers: number;
}

async function demo(
  config: Config,
  options: DemoOptions,
  io: CommandIo,
  logger: Logger,
  teardown: Teardown,
  interrupted: AbortSignal,
): Promise<number> {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const started = Date.now();
  const redis = await provideRedis(config.redis);
  if (redis.kind === "none") {
    io.stderr.write(howToGetRedis(redis.configuredUrl));
    return EXIT.usage;
  }
  if (redis.kind === "private") teardown.add("private redis-server", redis.server.destroy);

  const run = newDemoRun(config);
  out(
    `axelnac-courier demo: ${plural(options.guests, "sample guest")}, ${plural(options.workers, "delivery worker")}`,
  );
  out(`  redis       ${describeRedis(redis)}`);
  out(`  queue       ${run.queueName} (the demo's own; removed at the end)`);

  const appliance = await startAppliance(config, logger, teardown);
  out(`  appliance   ${appliance.description}`);
  const settings = demoConfig(config, run, redis.target, appliance.url);
  out(`  secrets     ${describeEncryption(config, settings)}`);

  const operator = await connectOperator(settings, logger);
  teardown.add("redis connection", operator.close);
  teardown.add("demo keys", () =>
    deleteKeysStartingWith(operator.redis, demoKeyPrefixes(settings, run)),
  );

  const dir = mkdtempSync(join(tmpdir(), "axelnac-courier-demo-"));
  teardown.add("temporary directory", () => rmSync(dir, { recursive: true, force: true }));
  const sourceId = config.producer.defaultSourceId ?? "sms";
  const sample = await writeSampleRegistrations(dir, options.guests, sourceId);
  out(`  guests      ${sample.path} (random passwords; deleted at the end)`);

  const workers = await startWorkers(settings, logger, options.workers, teardown);

  out(`  import      axelnac-courier import ${basename(sample.path)} --batch ${run.batchId}`);
  const importStarted = Date.now();
  const imported = await importRegistrations(settings, sample.path, run.batchId, sourceId);
  out(
    `              ${imported.summary} (${formatDuration(Date.now() - importStarted, "elapsed")})`,
  );
  if (interrupted.aborted) {
    out("interrupted: stopping the workers and removing the demo's queue");
    return EXIT.interrupted;
  }
  if (imported.code !== EXIT.ok) {
    io.stderr.write(imported.messages);
    io.stderr.write(`demo: the import failed (exit ${imported.code})\n`);
    return EXIT.failed;
  }
  out("");

  const final = await followBatch(
    () => readBatchStatus(operator.queue, operator.redis, operator.keys, run.batchId),
    io.stdout,
    { terminal: (io.stdout as NodeJS.WriteStream).isTTY === true, signal: interrupted },
  );
  const deliveryMs = (workers.lastFinishedAt() || Date.now()) - importStarted;
  const failures =
    final.failed > 0
      ? await readFailed(operator.queue, operator.redis, { batch: run.batchId })
      : [];
  out("");
  io.stdout.write(
    formatSummary({
      status: final,
      failures,
      logins: appliance.simulator?.stats().logins,
      workers: options.workers,
      deliveryMs,
      elapsedMs: Date.now() - started,
    }),
  );
  if (interrupted.aborted) return EXIT.interrupted;
  return final.failed === 0 && final.delivered === final.total ? EXIT.ok : EXIT.failed;
}

interface DemoAppliance {
  url: string;
  description: string;
  simulator: Simulator | undefined;
}

/** The built-in simulator, shared by every worker of the demo; or AXELNAC_URL when set. */
async function startAppliance(
  config: Config,
  logger: Logger,
  teardown: Teardown,
): Promise<DemoAppliance> {
  if (config.axelnac.url && config.axelnac.url !== BUILT_IN_SIMULATOR) {
    const { url } = config.axelnac;
    return { url, simulator: undefined, description: `${url} (AXELNAC_URL: real SMS are sent)` };
  }
  const simulator = await startSimulator({
    port: 0,
    username: config.axelnac.username,
    password: config.axelnac.password,
    logger: logger.child({ component: "simulator" }),
  });
  teardown.add("simulator", simulator.close);
  return {
    url: simulator.url,
    simulator,
    description: `built-in AxelNAC simulator at ${simulator.url} (no real SMS is sent)`,
  };
}

/**
 * Delivery workers as `axelnac-courier worker` runs them, each with its own connections. The
 * batch counters are written once a second, so the time of the last delivery comes from the
 * workers' own events.
 */
async function startWorkers(
  settings: Config,
  logger: Logger,
  count: number,
  teardown: Teardown,
): Promise<{ lastFinishedAt(): number }> {
  let lastFinishedAt = 0;
  const finished = () => {
    lastFinishedAt = Date.now();
  };
  for (let n = 1; n <= count; n++) {
    const worker = await startDeliveryWorker(settings, logger.child({ worker: n }));
    teardown.add(`worker ${n}`, worker.close);
    worker.worker.on("completed", finished).on("failed", finished);
  }
  return { lastFinishedAt: () => lastFinishedAt };
}

function describeRedis(redis: Exclude<DemoRedis, { kind: "none" }>): string {
  if (redis.kind === "configured") return redactRedisUrl(redis.target.url);
  return `no Redis answers at ${redactRedisUrl(redis.configuredUrl)}: started a private redis-server at ${redis.target.url} (data in ${redis.server.dir}; stopped and deleted at the end)`;
}

/** Ctrl-C (or SIGTERM, SIGHUP) stops the demo and cleans up; a second one leaves at once. */
function onInterrupt(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort();
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const signal of signals) process.on(signal, handler);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const signal of signals) process.off(signal, handler);
    },
  };
}

const DEMO_COMMAND_LINE: CommandLine<DemoOptions> = {
  usage: DEMO_USAGE,
  prefix: "demo: ",
  blankLine: true,
  parse,
};

function parse(argv: string[]): DemoOptions | "help" {
  const values = readFlags(argv, {
    guests: { type: "string", default: "1000" },
    workers: { type: "string", default: "2" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return "help";
  return {
    guests: wholeNumber("--guests", values.guests, MAX_GUESTS),
    workers: wholeNumber("--workers", values.workers, MAX_WORKERS),
  };
}

function wholeNumber(flag: string, text: string, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > max) {
    throw new UsageError(`${flag}: "${text}" is not a whole number from 1 to ${max}`);
  }
  return value;
}
