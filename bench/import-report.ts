import type { ImportRun, ImportVariantId } from "./import-runs";
import { median } from "./report";

export interface ImportReport {
  settings: {
    rows: number;
    fileMb: number;
    runs: number;
    redis: string;
    node: string;
    cpus: string;
    cpuCount: number;
    loadAtStart: number;
    loadAtEnd: number;
  };
  runs: ImportRun[];
  /** The same commands on the header alone: what a run costs before its first row. */
  startUps: ImportRun[];
}

interface Summary {
  id: ImportVariantId;
  label: string;
  perSecond: number;
  seconds: number;
  startUpSeconds: number;
  perSecondAfterStartUp: number;
  cpuSeconds: number;
  peakRssMb: number;
  startUpPeakRssMb: number;
  redisCpuSeconds: number;
  redisCommandsPerRow: number;
  redisMemoryMb: number;
}

const VARIANTS: ImportVariantId[] = ["import", "bare", "bare-opts", "dry-run", "sealed"];

function summarize(report: ImportReport, id: ImportVariantId): Summary {
  const runs = report.runs.filter((run) => run.variant === id);
  const of = (value: (run: ImportRun) => number, from = runs) => median(from.map(value));
  const seconds = of((run) => run.seconds);
  const startUps = report.startUps.filter((run) => run.variant === id);
  const startUpSeconds = of((run) => run.seconds, startUps);
  const rows = report.settings.rows;
  return {
    id,
    label: runs[0]?.label ?? id,
    perSecond: of((run) => run.rows / run.seconds),
    seconds,
    startUpSeconds,
    // Meaningless when the rows take less time than the noise of the start-up.
    perSecondAfterStartUp:
      seconds - startUpSeconds > 0.5 ? rows / (seconds - startUpSeconds) : Number.NaN,
    cpuSeconds: of((run) => run.cpuMs) / 1_000,
    peakRssMb: of((run) => run.peakRssKb) / 1024,
    startUpPeakRssMb: of((run) => run.peakRssKb, startUps) / 1024,
    redisCpuSeconds: of((run) => run.redisCpuMs) / 1_000,
    redisCommandsPerRow: of((run) => run.redisCommands / run.rows),
    redisMemoryMb: of((run) => run.redisMemoryMb),
  };
}

/** The report as tables for people. */
export function formatImportReport(report: ImportReport): string {
  const { settings: s } = report;
  const summaries = VARIANTS.map((id) => summarize(report, id));
  const [courier, bare, bareWithOptions, , sealed] = summaries as [
    Summary,
    Summary,
    Summary,
    Summary,
    Summary,
  ];
  const lines = [
    `axelnac-courier import bench: ${s.rows} rows (${s.fileMb.toFixed(1)} MB CSV), runs per variant: ${s.runs} (order rotating), medians`,
    "  each variant a child process from spawn to exit (node start-up included), Redis flushed before each run",
    `  ${s.redis}; node ${s.node}; ${s.cpus}`,
    `  load average (1 min): ${s.loadAtStart.toFixed(2)} at start, ${s.loadAtEnd.toFixed(2)} at end, on ${s.cpuCount} CPUs`,
  ];
  for (const x of summaries) lines.push(`  ${x.id.padEnd(8)} ${x.label}`);
  if (s.loadAtStart > s.cpuCount / 2) {
    lines.push("  warning: the machine was busy with other work: rows/s vary from run to run");
  }
  lines.push(
    "",
    row(["variant", "rows/s", "wall s", "CPU s", "peak RSS MB", "Redis CPU s", "Redis cmds/row"]),
  );
  for (const run of report.runs) {
    lines.push(
      row([
        `${run.run}: ${run.variant}`,
        (run.rows / run.seconds).toFixed(0),
        run.seconds.toFixed(2),
        (run.cpuMs / 1_000).toFixed(2),
        (run.peakRssKb / 1024).toFixed(1),
        (run.redisCpuMs / 1_000).toFixed(2),
        (run.redisCommands / run.rows).toFixed(1),
      ]),
    );
  }
  const table: [string, (x: Summary) => string][] = [
    ["rows/s (spawn to exit)", (x) => x.perSecond.toFixed(0)],
    ["start-up s (header only)", (x) => x.startUpSeconds.toFixed(2)],
    [
      "rows/s after start-up",
      (x) => (Number.isNaN(x.perSecondAfterStartUp) ? "n/a" : x.perSecondAfterStartUp.toFixed(0)),
    ],
    ["CPU s", (x) => x.cpuSeconds.toFixed(2)],
    ["peak RSS MB (VmHWM)", (x) => x.peakRssMb.toFixed(1)],
    ["  of which start-up MB", (x) => x.startUpPeakRssMb.toFixed(1)],
    ["Redis CPU s", (x) => x.redisCpuSeconds.toFixed(2)],
    ["Redis commands/row", (x) => x.redisCommandsPerRow.toFixed(1)],
    ["Redis used_memory MB", (x) => x.redisMemoryMb.toFixed(1)],
  ];
  lines.push("", row(["median", ...VARIANTS]));
  for (const [name, value] of table) lines.push(row([name, ...summaries.map(value)]));
  lines.push(
    "",
    `import / bare: ${(courier.perSecond / bare.perSecond).toFixed(2)}× the rows/s ` +
      `(${ratio(courier.perSecondAfterStartUp, bare.perSecondAfterStartUp)} after start-up), ` +
      `${(courier.peakRssMb / bare.peakRssMb).toFixed(2)}× the peak RSS ` +
      `(${courier.peakRssMb.toFixed(0)} MB vs ${bare.peakRssMb.toFixed(0)} MB), ` +
      `${(courier.redisCpuSeconds / bare.redisCpuSeconds).toFixed(2)}× the Redis CPU`,
    "  what the import adds per row: CSV parsing and validation (see the dry run), a keyed hash and a",
    "  deduplication key (the duplicate window), the priority of the import lane, batch totals, and",
    "  job options (removeOnComplete, removeOnFail) the bare baseline does not set",
    `import / bare with the same BullMQ job options: ${(courier.perSecond / bareWithOptions.perSecond).toFixed(2)}× the rows/s ` +
      `(${ratio(courier.perSecondAfterStartUp, bareWithOptions.perSecondAfterStartUp)} after start-up): ` +
      "the courier's own cost (CSV, validation, batch totals) apart from what BullMQ does with those options",
    `import with passwords sealed / import: ${(sealed.perSecond / courier.perSecond).toFixed(2)}× the rows/s ` +
      `(${ratio(sealed.perSecondAfterStartUp, courier.perSecondAfterStartUp)} after start-up), ` +
      `${(sealed.peakRssMb / courier.peakRssMb).toFixed(2)}× the peak RSS: what AES-256-GCM per row costs`,
  );
  return `${lines.join("\n")}\n`;
}

function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "n/a";
}

const FIRST_COLUMN = 28;
const COLUMN = 16;

function row(cells: string[]): string {
  return cells
    .map((cell, i) => (i === 0 ? cell.padEnd(FIRST_COLUMN) : cell.padStart(COLUMN)))
    .join("")
    .trimEnd();
}
