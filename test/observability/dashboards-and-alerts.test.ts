import { parser } from "@prometheus-io/lezer-promql";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import dashboardText from "../../observability/grafana/dashboard.json?raw";
import alertsText from "../../observability/prometheus/alerts.yml?raw";
import { exportedSampleNames, METRICS } from "../../src/lib/metrics";

// promtool (`npm run lint:alerts`, where it is installed) checks the rules fully and runs their unit
// tests; these checks run everywhere: the files parse, the shapes hold, and every PromQL expression
// parses with Prometheus's own grammar and names only metrics the app exports (or the rules record).

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules: Rule[] = (parseYaml(alertsText) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap((group) => group.rules);
const recorded = new Set(rules.flatMap((rule) => (rule.record ? [rule.record] : [])));
const known = new Set([...exportedSampleNames(), ...recorded]);

/** The metric names `expr` selects; throws when it does not parse as PromQL. */
function selectedMetrics(expr: string): string[] {
  const names: string[] = [];
  let error: number | undefined;
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) error ??= node.from;
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector") names.push(expr.slice(node.from, node.to));
    },
  });
  if (error !== undefined) throw new Error(`not PromQL at ${error}: ${expr}`);
  return names;
}

describe("observability/prometheus/alerts.yml", () => {
  it("has rules that each record or alert, with an expression naming only exported or recorded metrics", () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(Boolean(rule.record) !== Boolean(rule.alert), JSON.stringify(rule)).toBe(true);
      const names = selectedMetrics(rule.expr);
      expect(names.length, rule.expr).toBeGreaterThan(0);
      for (const name of names) expect(known, `${rule.alert ?? rule.record}: ${name}`).toContain(name);
    }
  });

  it("gives every alert a severity and a summary", () => {
    for (const rule of rules.filter((rule) => rule.alert)) {
      expect(["page", "ticket"], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
  });

  it.each([
    ["availability", "availability_errors", 0.001],
    ["latency", "latency_slow", 0.01],
  ])("alerts on the %s SLO with the four multi-window burn rates", (_, ratio, budget) => {
    const burns = rules
      .filter((rule) => rule.alert && rule.expr.includes(`job:slo_${ratio}:`))
      .map((rule) => {
        const windows = [...rule.expr.matchAll(/ratio_rate(\w+) > \(([\d.]+) \* ([\d.]+)\)/g)].map(([, window, factor, ruleBudget]) => ({ window, factor: Number(factor), budget: Number(ruleBudget) }));
        expect(windows.every((window) => window.budget === budget && window.factor === windows[0]!.factor), rule.alert).toBe(true);
        return `${windows[0]!.factor}x ${windows.map((window) => window.window).join("/")} ${rule.labels!.severity}`;
      });
    expect(burns.sort()).toEqual(["14.4x 1h/5m page", "1x 3d/6h ticket", "3x 1d/2h ticket", "6x 6h/30m page"]);
  });
});

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; datasource: { uid: string } }>;
}

describe("observability/grafana/dashboard.json", () => {
  const dashboard = JSON.parse(dashboardText) as { uid: string; templating: { list: Array<{ name: string; type: string; query: unknown }> }; panels: Panel[] };
  const panels = dashboard.panels.filter((panel) => panel.type !== "row");
  /** A panel's query as Prometheus sees it once Grafana has filled in its variables. */
  const asPromQL = (expr: string) => expr.replaceAll("$__rate_interval", "5m").replaceAll("$job", ".*");

  it("takes its data source from a variable, for every panel and query", () => {
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" }));
    for (const panel of panels) {
      expect(panel.datasource?.uid, panel.title).toBe("${datasource}");
      for (const target of panel.targets ?? []) expect(target.datasource.uid, panel.title).toBe("${datasource}");
    }
  });

  it("has queries that parse as PromQL and name only exported or recorded metrics", () => {
    for (const panel of panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets!) {
        for (const name of selectedMetrics(asPromQL(target.expr))) expect(known, `${panel.title}: ${name}`).toContain(name);
      }
    }
  });

  it("shows every metric the app exports", () => {
    const shown = new Set(panels.flatMap((panel) => panel.targets!.flatMap((target) => selectedMetrics(asPromQL(target.expr)))));
    const families = [...shown].map((name) => name.replace(/_(bucket|sum|count)$/, ""));
    for (const family of Object.keys(METRICS)) expect(families, family).toContain(family);
  });
});
