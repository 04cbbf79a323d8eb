import type { OnboardRun } from "./onboard-run";
import { median } from "./report";

export interface OnboardReport {
  settings: {
    guests: number;
    chunkSizes: number[];
    itemMs: number;
    sendMs: number;
    runs: number;
    workers: string;
    appliance: string;
    redis: string;
    node: string;
    cpus: string;
    cpuCount: number;
    loadAtStart: number;
    loadAtEnd: number;
  };
  runs: OnboardRun[];
}

type Column = [heading: string, value: (run: OnboardRun) => number, digits: number];

const COLUMNS: Column[] = [
  ["guests/s", (run) => run.guestsPerSecond, 0],
  ["all SMS s", (run) => run.seconds, 2],
  ["first SMS s", (run) => run.firstSmsSeconds, 3],
  ["p50 s", (run) => run.p50Seconds, 2],
  ["p95 s", (run) => run.p95Seconds, 2],
  ["bulk_import", (run) => run.bulkImports, 0],
  ["busy %", (run) => run.busyShare * 100, 0],
  ["write ms", (run) => run.writeMs, 0],
  ["worker CPU s", (run) => run.workerCpuMs / 1_000, 2],
];

/** The report as tables for people: every run, then the median of each chunk size. */
export function formatOnboardReport(report: OnboardReport): string {
  const { settings: s } = report;
  const lines = [
    `axelnac-courier onboarding bench: ${s.guests} guests per run, ${s.runs} run(s) of each chunk size`,
    `  appliance: ${s.appliance}; ${s.itemMs} ms per imported guest, ${s.sendMs} ms per API answer (an SMS send)`,
    `  workers: ${s.workers}`,
    `  ${s.redis}; node ${s.node}; ${s.cpus}`,
    `  load average (1 min): ${s.loadAtStart.toFixed(2)} at start, ${s.loadAtEnd.toFixed(2)} at end, on ${s.cpuCount} CPUs`,
    "  times from the start of the write of the onboarding jobs; every guest checked: one SMS, current password",
  ];
  if (s.loadAtStart > s.cpuCount / 2) {
    lines.push("  warning: the machine was busy with other work: figures vary from run to run");
  }
  lines.push("", row(["run: chunk", ...COLUMNS.map(([heading]) => heading)]));
  for (const run of report.runs) {
    lines.push(
      row([
        `${run.run}: ${run.chunkSize}`,
        ...COLUMNS.map(([, value, digits]) => value(run).toFixed(digits)),
      ]),
    );
  }
  if (s.runs > 1) {
    lines.push("", row(["median: chunk", ...COLUMNS.map(([heading]) => heading)]));
    for (const size of s.chunkSizes) {
      const runs = report.runs.filter((run) => run.chunkSize === size);
      lines.push(
        row([
          String(size),
          ...COLUMNS.map(([, value, digits]) => median(runs.map(value)).toFixed(digits)),
        ]),
      );
    }
  }
  lines.push(
    "",
    "  guests/s: guests ÷ time to the last SMS; first SMS: what the first guest at the door waits;",
    "  p50/p95: per-guest wait for its SMS; busy %: time-average share of the appliance's API",
    "  workers serving a request; write ms: writing every onboarding job (one transaction)",
  );
  return `${lines.join("\n")}\n`;
}

const FIRST_COLUMN = 14;
const COLUMN = 13;

function row(cells: string[]): string {
  return cells
    .map((cell, i) => (i === 0 ? cell.padEnd(FIRST_COLUMN) : cell.padStart(COLUMN)))
    .join("")
    .trimEnd();
}
