import type { RunResult } from "./measure";
import { addCounts, type CommandCounts, scaleCounts } from "./redis-stats";

export const TARGETS = { minThroughputRatio: 0.9, maxCommandsOverBare: 0.1 } as const;

export interface VariantSummary {
  label: string;
  runs: number;
  /** Medians over the runs. */
  perSecond: number;
  commandsPerDelivery: number;
  scriptCallsPerDelivery: number;
  workerCpuMsPerDelivery: number;
  redisCpuMsPerDelivery: number;
  simulatorCpuMsPerDelivery: number;
  /** Logins the simulator saw, most in any run. */
  logins: number;
  peakRssMb: number;
  /** Calls per delivery by command, averaged over the runs. */
  commandsByName: Record<string, number>;
}

export interface CommandDifference {
  command: string;
  courier: number;
  bare: number;
  difference: number;
  why: string;
}

export interface TargetCheck {
  name: string;
  pass: boolean;
  detail: string;
}

export interface BenchReport {
  settings: Record<string, string | number>;
  runs: RunResult[];
  courier: VariantSummary;
  bare: VariantSummary;
  /** median(courier deliveries/s) / median(bare deliveries/s): the target. */
  throughputRatio: number;
  /** Median of the ratios of the two runs of each round, which ran back to back: a noise check. */
  pairedThroughputRatio: number;
  /** The courier once at LOG_LEVEL=info; null with --no-info-run. */
  infoRun: { perSecond: number; ratioToBare: number; peakRssMb: number } | null;
  targets: TargetCheck[];
  commandDifferences: CommandDifference[];
}

/**
 * Where each command the courier sends more (or less) than the bare worker comes from, read from
 * BullMQ 6's Lua scripts and src/worker/start.ts. A command missing here prints "?".
 */
const WHY: Record<string, string> = {
  incr: "limiter counter, in moveToActive/fetchNext: a limiter is set so that queue.rateLimit() (the fleet-wide pause) is honoured",
  get: "limiter: GET of the counter before each fetch (getRateLimitTTL)",
  hexists: "limiter: HEXISTS 'defa' (deferred failure) before the INCR",
  pexpire: "limiter: window expiry, once per limiter window",
  llen: "global concurrency (AXELNAC_MAX_IN_FLIGHT): LLEN of active before each fetch",
  del: "removeOnComplete {count: 0}: the job and its side keys are deleted (no password left in Redis)",
  zadd: "bare keeps completed jobs: ZADD to the completed set",
  hset: "bare keeps completed jobs: HSET returnvalue + finishedOn",
  evalsha: "BullMQ script calls (round trips)",
  eval: "courier's own scripts: shared-token read, store, lock release",
  set: "shared-token lock (SET NX PX), once per login",
  publish: "shared-token refresh announcement",
  subscribe: "token refresh subscriber",
  bzpopmin: "blocking waits for the next job",
};

export function buildReport(
  runs: RunResult[],
  settings: Record<string, string | number>,
): BenchReport {
  const courierRuns = runs.filter((r) => r.variant === "courier" && r.logLevel === "warn");
  const bareRuns = runs.filter((r) => r.variant === "bare");
  const infoRun = runs.find((r) => r.variant === "courier" && r.logLevel === "info");
  const courier = summarise(courierRuns);
  const bare = summarise(bareRuns);
  const throughputRatio = courier.perSecond / bare.perSecond;
  const pairedThroughputRatio = median(
    courierRuns.flatMap((c) => {
      const b = bareRuns.find((r) => r.run === c.run);
      return b ? [c.perSecond / b.perSecond] : [];
    }),
  );
  const commandCeiling = bare.commandsPerDelivery * (1 + TARGETS.maxCommandsOverBare);
  return {
    settings,
    runs,
    courier,
    bare,
    throughputRatio,
    pairedThroughputRatio,
    infoRun: infoRun
      ? {
          perSecond: infoRun.perSecond,
          ratioToBare: infoRun.perSecond / bare.perSecond,
          peakRssMb: infoRun.peakRssKb / 1024,
        }
      : null,
    targets: [
      {
        name: "throughput ratio courier / bare",
        pass: throughputRatio >= TARGETS.minThroughputRatio,
        detail: `${throughputRatio.toFixed(3)} >= ${TARGETS.minThroughputRatio}`,
      },
      {
        name: "Redis commands per delivery",
        pass: courier.commandsPerDelivery <= commandCeiling,
        detail: `${fixed(courier.commandsPerDelivery)} <= ${fixed(commandCeiling)} (bare ${fixed(bare.commandsPerDelivery)} + ${TARGETS.maxCommandsOverBare * 100}%)`,
      },
    ],
    commandDifferences: differences(courier.commandsByName, bare.commandsByName),
  };
}

function summarise(runs: RunResult[]): VariantSummary {
  const first = runs[0];
  if (!first) throw new Error("no run to summarise");
  const perDelivery = (value: (r: RunResult) => number) =>
    median(runs.map((r) => value(r) / r.deliveries));
  const deliveries = runs.reduce((sum, r) => sum + r.deliveries, 0);
  const total = runs.reduce<CommandCounts>((sum, r) => addCounts(sum, r.redis), {
    total: 0,
    byCommand: {},
  });
  return {
    label: first.label,
    runs: runs.length,
    perSecond: median(runs.map((r) => r.perSecond)),
    commandsPerDelivery: perDelivery((r) => r.redis.total),
    scriptCallsPerDelivery: perDelivery(scriptCalls),
    workerCpuMsPerDelivery: perDelivery((r) => r.workerCpuMs),
    redisCpuMsPerDelivery: perDelivery((r) => r.redisCpuMs),
    simulatorCpuMsPerDelivery: perDelivery((r) => r.simulatorCpuMs),
    logins: Math.max(...runs.map((r) => r.logins)),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssKb)) / 1024,
    commandsByName: scaleCounts(total, 1 / deliveries).byCommand,
  };
}

export function scriptCalls(run: RunResult): number {
  return (run.redis.byCommand.evalsha ?? 0) + (run.redis.byCommand.eval ?? 0);
}

function differences(
  courier: Record<string, number>,
  bare: Record<string, number>,
): CommandDifference[] {
  const names = new Set([...Object.keys(courier), ...Object.keys(bare)]);
  return [...names]
    .map((command) => {
      const c = courier[command] ?? 0;
      const b = bare[command] ?? 0;
      return { command, courier: c, bare: b, difference: c - b, why: WHY[command] ?? "?" };
    })
    .filter((d) => Math.abs(d.difference) >= 0.005)
    .sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference))
    .slice(0, 12);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] ?? Number.NaN;
  return ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

export function fixed(value: number, digits = 2): string {
  return value.toFixed(digits);
}
