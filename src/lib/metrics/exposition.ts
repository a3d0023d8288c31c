import { METRICS, type MetricName } from "./definitions";
import type { Sample } from "./isolate-metrics";

/** The media type of the text exposition format 0.0.4, what Prometheus scrapes. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const HISTOGRAM_SUFFIXES = ["_bucket", "_sum", "_count"] as const;

/**
 * The aggregator's totals as Prometheus text exposition 0.0.4: each family once, with HELP and TYPE,
 * its samples together; a histogram's buckets in `le` order, then its sum and count, per label set.
 * Series of no metric the app defines (left by an older version) are left out.
 */
export function renderExposition(samples: Sample[]): string {
  const families = new Map<MetricName, Array<{ series: string; value: number; order: string }>>();
  for (const [series, value] of samples) {
    const family = familyOf(series);
    if (!family) continue;
    let rows = families.get(family.name);
    if (!rows) families.set(family.name, (rows = []));
    rows.push({ series, value, order: family.order });
  }
  let text = "";
  for (const name of (Object.keys(METRICS) as MetricName[]).filter((name) => families.has(name))) {
    const { type, help } = METRICS[name];
    text += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
    const rows = families.get(name)!.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    for (const row of rows) text += `${row.series} ${formatValue(row.value)}\n`;
  }
  return text;
}

/** The family a series belongs to, and a key that sorts a histogram's samples as the format wants. */
function familyOf(series: string): { name: MetricName; order: string } | undefined {
  const brace = series.indexOf("{");
  const sampleName = brace === -1 ? series : series.slice(0, brace);
  const labels = brace === -1 ? "" : series.slice(brace + 1, -1);
  if (sampleName in METRICS) return { name: sampleName as MetricName, order: labels };
  for (const [rank, suffix] of HISTOGRAM_SUFFIXES.entries()) {
    if (!sampleName.endsWith(suffix)) continue;
    const name = sampleName.slice(0, -suffix.length);
    if (!(name in METRICS) || METRICS[name as MetricName].type !== "histogram") return undefined;
    if (suffix !== "_bucket") return { name: name as MetricName, order: `${labels}\u0001${rank}` };
    // `le` is the last label of a bucket: sort by the others, then by the bound as a number.
    const le = /(?:^|,)le="([^"]+)"$/.exec(labels);
    if (!le) return undefined;
    const others = labels.slice(0, le.index);
    const bound = le[1] === "+Inf" ? Infinity : Number(le[1]);
    return { name: name as MetricName, order: `${others}\u0001${rank}${boundKey(bound)}` };
  }
  return undefined;
}

/** Bounds as fixed-width text, so they sort as numbers. */
function boundKey(bound: number): string {
  return bound === Infinity ? "~" : bound.toFixed(6).padStart(20, "0");
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}
