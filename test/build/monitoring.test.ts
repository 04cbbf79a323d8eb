/**
 * monitoring/: the Grafana dashboard and the Prometheus alert rules parse, have what Grafana and
 * Prometheus need, and ask only for metrics (and labels) a worker's /metrics exposes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { createCourierMetrics } from "../../src/metrics/courier-metrics";
import { QUEUE_STATES, registerQueueGauges } from "../../src/metrics/queue-gauges";
import { parseMetrics } from "../metrics/scrape";
import { REPO_ROOT } from "../support/processes";

interface Rule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: { severity?: unknown };
  annotations?: { summary?: unknown };
}

const read = (file: string) => readFileSync(join(REPO_ROOT, "monitoring", file), "utf8");

/** Labels Prometheus adds to every scraped series, and the histogram buckets' own. */
const ALWAYS = ["job", "instance", "le", "__name__"];

/** Every sample name a worker's /metrics shows, with the labels each carries. */
async function exposed(): Promise<Map<string, Set<string>>> {
  const metrics = createCourierMetrics();
  registerQueueGauges(metrics.registry, async () => ({
    counts: Object.fromEntries(QUEUE_STATES.map((state) => [state, 1])),
    pause: "throttled",
  }));
  // One observation of each, so that every labelled series shows.
  metrics.deliveries.inc({ outcome: "failed", code: "AXELNAC_SERVER_ERROR" });
  metrics.applianceRequests.observe({ operation: "login", status: "200" }, 0.1);
  metrics.deliveryLatency.observe(1);
  metrics.heldBack.inc({ cause: "throttled", code: "AXELNAC_THROTTLED" });
  const names = new Map<string, Set<string>>();
  for (const sample of parseMetrics(await metrics.registry.metrics())) {
    const labels = names.get(sample.name) ?? new Set<string>();
    for (const label of Object.keys(sample.labels)) labels.add(label);
    names.set(sample.name, labels);
  }
  return names;
}

const METRIC = /\b((?:axelnac_courier|process|nodejs)_[a-z0-9_]+)\b(\{[^}]*\})?/g;
const MATCHER_LABEL = /([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g;
const GROUPING = /\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g;

/** What is wrong with `expr`'s metric names and labels, as messages; none when it is right. */
function problemsOf(expr: string, names: Map<string, Set<string>>): string[] {
  const problems: string[] = [];
  const used = new Set<string>(ALWAYS);
  const withoutTemplates = expr.replace(/\{\{[^}]*\}\}/g, "");
  for (const [, name, matchers] of withoutTemplates.matchAll(METRIC)) {
    const labels = names.get(name as string);
    if (!labels) {
      problems.push(`${name}: not a metric a worker exposes`);
      continue;
    }
    for (const label of labels) used.add(label);
    for (const [, label] of (matchers ?? "").matchAll(MATCHER_LABEL)) {
      if (!labels.has(label as string) && !ALWAYS.includes(label as string)) {
        problems.push(`${name}: no label ${label}`);
      }
    }
  }
  for (const [, list] of withoutTemplates.matchAll(GROUPING)) {
    for (const label of (list as string).split(",").map((l) => l.trim())) {
      if (label !== "" && !used.has(label))
        problems.push(`groups by ${label}, which no metric has`);
    }
  }
  return problems;
}

function balanced(expr: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  for (const character of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if ("([{".includes(character)) stack.push(character);
    else if (character in pairs && stack.pop() !== pairs[character]) return false;
  }
  return stack.length === 0;
}

describe("monitoring/alert-rules.yml", () => {
  const rules = (
    parse(read("alert-rules.yml")) as { groups: { name: string; rules: Rule[] }[] }
  ).groups.flatMap((group) => group.rules);

  it("parses into rule groups, each rule with alert, expr, for, a severity and a summary", () => {
    expect(rules.length).toBeGreaterThanOrEqual(3);
    for (const rule of rules) {
      expect(rule).toEqual(
        expect.objectContaining({
          alert: expect.stringMatching(/^AxelnacCourier[A-Za-z]+$/),
          expr: expect.any(String),
          for: expect.stringMatching(/^\d+[smh]$/),
          labels: expect.objectContaining({
            severity: expect.stringMatching(/^(warning|critical)$/),
          }),
          annotations: expect.objectContaining({ summary: expect.any(String) }),
        }),
      );
    }
  });

  it("covers a fleet paused, failures rising and a queue not draining", () => {
    const alerts = rules.map((rule) => rule.alert);
    expect(alerts).toEqual(
      expect.arrayContaining([
        "AxelnacCourierFleetPaused",
        "AxelnacCourierDeliveriesFailing",
        "AxelnacCourierQueueNotDraining",
      ]),
    );
  });

  it("asks only for metrics and labels a worker exposes, in balanced expressions", async () => {
    const names = await exposed();
    for (const rule of rules) {
      const expr = rule.expr as string;
      expect({ alert: rule.alert, problems: problemsOf(expr, names) }).toEqual({
        alert: rule.alert,
        problems: [],
      });
      expect(balanced(expr)).toBe(true);
    }
  });
});

describe("monitoring/grafana-dashboard.json", () => {
  const dashboard = JSON.parse(read("grafana-dashboard.json")) as {
    title: string;
    uid: string;
    panels: { title: string; targets?: { expr?: string }[] }[];
  };
  const exprs = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr ?? "" })),
  );

  it("parses, with a title, a uid and panels that each query Prometheus", () => {
    expect(dashboard.title).toBe("axelnac-courier");
    expect(dashboard.uid).toBe("axelnac-courier");
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    for (const panel of dashboard.panels) expect(panel.targets?.length).toBeGreaterThan(0);
    for (const { expr } of exprs) expect(expr).not.toBe("");
  });

  it("shows every courier metric", async () => {
    const names = await exposed();
    const shown = exprs.map(({ expr }) => expr).join("\n");
    const courier = [...names.keys()].filter(
      (name) => name.startsWith("axelnac_courier_") && !/_(sum|count)$/.test(name),
    );
    for (const name of courier) {
      const family = name.replace(/_bucket$/, "");
      expect({ name: family, shown: shown.includes(family) }).toEqual({
        name: family,
        shown: true,
      });
    }
  });

  it("asks only for metrics and labels a worker exposes, in balanced expressions", async () => {
    const names = await exposed();
    for (const { panel, expr } of exprs) {
      expect({ panel, problems: problemsOf(expr, names) }).toEqual({ panel, problems: [] });
      expect(balanced(expr)).toBe(true);
    }
  });

  it("finds a metric no worker exposes and a label no metric has (so the checks above can fail)", async () => {
    const names = await exposed();
    expect(
      problemsOf('sum by (pid) (rate(axelnac_courier_sms_total{batch="x"}[5m]))', names),
    ).toEqual([
      "axelnac_courier_sms_total: not a metric a worker exposes",
      "groups by pid, which no metric has",
    ]);
    expect(problemsOf('axelnac_courier_deliveries_total{pid="x"}', names)).toEqual([
      "axelnac_courier_deliveries_total: no label pid",
    ]);
    expect(balanced("sum(rate(x[5m])")).toBe(false);
  });
});
