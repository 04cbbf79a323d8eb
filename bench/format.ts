import type { RunResult } from "./measure";
import { type BenchReport, fixed, scriptCalls, type VariantSummary } from "./report";

/** The report as a table for people. */
export function formatReport(report: BenchReport): string {
  const sections = [
    header(report.settings),
    runTable(report.runs),
    summaryTable(report),
    targetLines(report),
    differenceLines(report),
  ];
  return `${sections.map((lines) => lines.join("\n")).join("\n\n")}\n`;
}

function header(settings: BenchReport["settings"]): string[] {
  const { jobs, runs, concurrency: c } = settings;
  const lines = [
    `axelnac-courier bench: ${jobs} jobs per run, ${runs} runs per variant (order alternating), medians`,
    `  both workers in a process of their own: concurrency ${c}, ${c} HTTP connections; courier with WORKER_CONCURRENCY=${c} AXELNAC_MAX_IN_FLIGHT=${c} AXELNAC_MAX_CONNECTIONS=${c} LOG_LEVEL=warn`,
    `  simulator in the bench process: zero latency, ${c} requests at once; ${settings.redis}; node ${settings.node}, ${settings.cpus}`,
    `  load average (1 min): ${settings.loadAtStart} at start, ${settings.loadAtEnd} at end, on ${settings.cpuCount} CPUs`,
  ];
  if (Number(settings.loadAtStart) > Number(settings.cpuCount) / 2) {
    lines.push(
      "  warning: the machine was busy with other work: deliveries/s vary from run to run; the CPU columns vary less",
    );
  }
  return lines;
}

const RUN_COLUMNS = [4, 24, 5, 8, 10, 13, 19, 18, 16, 6, 11];

function runTable(runs: RunResult[]): string[] {
  const titles = [
    ["run", "variant", "order", "deliv/s", "cmds/deliv", "scripts/deliv"],
    ["worker CPU ms/deliv", "redis CPU ms/deliv", "sim CPU ms/deliv", "logins", "peak RSS MB"],
  ].flat();
  const perDelivery = (r: RunResult, value: number, digits: number) =>
    fixed(value / r.deliveries, digits);
  return [
    row(titles, RUN_COLUMNS, 2),
    ...runs.map((r) =>
      row(
        [
          String(r.run),
          r.label,
          String(r.position),
          r.perSecond.toFixed(0),
          perDelivery(r, r.redis.total, 2),
          perDelivery(r, scriptCalls(r), 2),
          perDelivery(r, r.workerCpuMs, 3),
          perDelivery(r, r.redisCpuMs, 3),
          perDelivery(r, r.simulatorCpuMs, 3),
          String(r.logins),
          (r.peakRssKb / 1024).toFixed(1),
        ],
        RUN_COLUMNS,
        2,
      ),
    ),
  ];
}

const SUMMARY_COLUMNS = [26, 12, 12, 14];

function summaryTable(report: BenchReport): string[] {
  const { courier, bare } = report;
  const pair = (name: string, value: (s: VariantSummary) => number, digits: number) =>
    row(
      [
        name,
        value(courier).toFixed(digits),
        value(bare).toFixed(digits),
        (value(courier) / value(bare)).toFixed(3),
      ],
      SUMMARY_COLUMNS,
      1,
    );
  const lines = [
    row(["median", "courier", "bare", "courier / bare"], SUMMARY_COLUMNS, 1),
    pair("deliveries/s", (s) => s.perSecond, 0),
    pair("Redis commands/delivery", (s) => s.commandsPerDelivery, 2),
    pair("script calls/delivery", (s) => s.scriptCallsPerDelivery, 2),
    pair("worker CPU ms/delivery", (s) => s.workerCpuMsPerDelivery, 3),
    pair("Redis CPU ms/delivery", (s) => s.redisCpuMsPerDelivery, 3),
    pair("simulator CPU ms/delivery", (s) => s.simulatorCpuMsPerDelivery, 3),
    pair("logins (per run)", (s) => s.logins, 0),
    pair("peak RSS MB (VmHWM)", (s) => s.peakRssMb, 1),
    `throughput ratio paired by round (median of ${courier.runs} back-to-back pairs): ${report.pairedThroughputRatio.toFixed(3)}`,
  ];
  const info = report.infoRun;
  if (info) {
    lines.push(
      `courier at LOG_LEVEL=info (1 run): ${info.perSecond.toFixed(0)} deliveries/s, ${info.ratioToBare.toFixed(3)} of bare, peak RSS ${info.peakRssMb.toFixed(1)} MB`,
    );
  }
  return lines;
}

function targetLines(report: BenchReport): string[] {
  return [
    "targets:",
    ...report.targets.map((t) => `  ${t.pass ? "PASS" : "FAIL"}  ${t.name}: ${t.detail}`),
  ];
}

function differenceLines(report: BenchReport): string[] {
  return [
    "Redis commands per delivery, courier - bare (INFO commandstats, commands run by scripts included):",
    ...report.commandDifferences.map((d) => {
      const signed = `${d.difference > 0 ? "+" : ""}${d.difference.toFixed(2)}`;
      return `  ${signed.padStart(6)}  ${d.command.padEnd(9)} ${fixed(d.courier)} vs ${fixed(d.bare)}  ${d.why}`;
    }),
  ];
}

/** Cells padded to `widths`; the first `textColumns` align left, the numbers right. */
function row(cells: string[], widths: number[], textColumns: number): string {
  return cells
    .map((cell, i) => {
      const width = widths[i] ?? 10;
      return i < textColumns ? cell.padEnd(width) : cell.padStart(width);
    })
    .join(" ")
    .trimEnd();
}
