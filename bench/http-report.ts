import type { LoadResult } from "./http-load";
import { median } from "./report";

/** api: the HTTP API; bare: a route that only calls queue.add; keyed: bare + an Idempotency-Key's two Redis writes. */
export type HttpSide = "api" | "bare" | "keyed";

export interface HttpRun extends LoadResult {
  side: HttpSide;
  run: number;
  /** 1 when it went first in its round, 2 when second. */
  position: number;
  /** CPU time of the side's process per request, ms. */
  serverCpuMsPerRequest: number;
  redisCpuMsPerRequest: number;
  redisCommandsPerRequest: number;
}

export interface HttpSideSummary {
  runs: number;
  /** Medians over the runs. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMsPerRequest: number;
  redisCpuMsPerRequest: number;
  redisCommandsPerRequest: number;
}

export const HTTP_TARGET = { minRatio: 0.8 } as const;

export interface HttpBenchReport {
  settings: Record<string, string | number>;
  runs: HttpRun[];
  api: HttpSideSummary;
  bare: HttpSideSummary;
  keyed: HttpSideSummary;
  /** median(api req/s) / median(bare req/s). */
  ratio: number;
  /** Median over the rounds of api / bare req/s, the two runs of a round back to back: the figure. */
  pairedRatio: number;
  pairedRatios: number[];
  /** Median over the rounds of keyed / bare req/s: the most an API making those writes for each request reaches here. */
  keyedPairedRatio: number;
  /** Runs that got any answer but 2xx, an error or a timeout: their figures are suspect. */
  unclean: string[];
  target: { pass: boolean; detail: string };
}

export function buildHttpReport(
  runs: HttpRun[],
  settings: Record<string, string | number>,
): HttpBenchReport {
  const apiRuns = runs.filter((r) => r.side === "api");
  const bareRuns = runs.filter((r) => r.side === "bare");
  const keyedRuns = runs.filter((r) => r.side === "keyed");
  const api = summarise(apiRuns);
  const bare = summarise(bareRuns);
  const pairedWithBare = (sideRuns: HttpRun[]) =>
    sideRuns.flatMap((a) => {
      const b = bareRuns.find((r) => r.run === a.run);
      return b ? [a.perSecond / b.perSecond] : [];
    });
  const pairedRatios = pairedWithBare(apiRuns);
  const pairedRatio = median(pairedRatios);
  return {
    settings,
    runs,
    api,
    bare,
    keyed: summarise(keyedRuns),
    keyedPairedRatio: median(pairedWithBare(keyedRuns)),
    ratio: api.perSecond / bare.perSecond,
    pairedRatio,
    pairedRatios,
    unclean: runs.flatMap((r) => {
      const refused = Object.entries(r.refused).map(([status, n]) => `${n} × ${status}`);
      if (r.errors > 0) refused.push(`${r.errors} errors`);
      if (r.timeouts > 0) refused.push(`${r.timeouts} timeouts`);
      return refused.length > 0 ? [`run ${r.run} ${r.side}: ${refused.join(", ")}`] : [];
    }),
    target: {
      pass: pairedRatio >= HTTP_TARGET.minRatio,
      detail: `paired req/s ratio ${pairedRatio.toFixed(3)} >= ${HTTP_TARGET.minRatio}`,
    },
  };
}

function summarise(runs: HttpRun[]): HttpSideSummary {
  const mid = (value: (r: HttpRun) => number) => median(runs.map(value));
  return {
    runs: runs.length,
    perSecond: mid((r) => r.perSecond),
    p50Ms: mid((r) => r.p50Ms),
    p99Ms: mid((r) => r.p99Ms),
    serverCpuMsPerRequest: mid((r) => r.serverCpuMsPerRequest),
    redisCpuMsPerRequest: mid((r) => r.redisCpuMsPerRequest),
    redisCommandsPerRequest: mid((r) => r.redisCommandsPerRequest),
  };
}

export function formatHttpReport(report: HttpBenchReport): string {
  const lines: string[] = [];
  lines.push("bench:http — POST /v1/deliveries (API) vs a bare Fastify route calling queue.add");
  lines.push("  (keyed: the bare route + an Idempotency-Key's claim and stored answer in Redis)");
  for (const [name, value] of Object.entries(report.settings)) lines.push(`  ${name}: ${value}`);
  lines.push("");
  lines.push("run  side   pos     req/s   p50 ms   p99 ms  cpu ms/req  redis cmds/req");
  for (const r of report.runs) {
    lines.push(
      `${pad(r.run, 3)}  ${r.side.padEnd(5)}  ${pad(r.position, 3)}  ${pad(r.perSecond.toFixed(0), 8)}  ${pad(r.p50Ms, 7)}  ${pad(r.p99Ms, 7)}  ${pad(r.serverCpuMsPerRequest.toFixed(3), 10)}  ${pad(r.redisCommandsPerRequest.toFixed(1), 14)}`,
    );
  }
  lines.push("");
  lines.push("medians       req/s   p50 ms   p99 ms  cpu ms/req  redis cpu ms/req  redis cmds/req");
  for (const [name, s] of [
    ["API  ", report.api],
    ["bare ", report.bare],
    ["keyed", report.keyed],
  ] as const) {
    lines.push(
      `${name}      ${pad(s.perSecond.toFixed(0), 8)}  ${pad(s.p50Ms, 7)}  ${pad(s.p99Ms, 7)}  ${pad(s.serverCpuMsPerRequest.toFixed(3), 10)}  ${pad(s.redisCpuMsPerRequest.toFixed(3), 16)}  ${pad(s.redisCommandsPerRequest.toFixed(1), 14)}`,
    );
  }
  lines.push("");
  lines.push(
    `req/s ratio API / bare: ${report.ratio.toFixed(3)} (of medians), ${report.pairedRatio.toFixed(3)} (median of paired runs: ${report.pairedRatios.map((r) => r.toFixed(2)).join(", ")})`,
  );
  lines.push(
    `req/s ratio keyed / bare: ${report.keyedPairedRatio.toFixed(3)} (median of paired runs): the most an API making those writes for each request reaches on this machine`,
  );
  lines.push(`target: ${report.target.pass ? "PASS" : "FAIL"} ${report.target.detail}`);
  for (const line of report.unclean) lines.push(`warning: ${line}`);
  return `${lines.join("\n")}\n`;
}

function pad(value: number | string, width: number): string {
  return String(value).padStart(width);
}
