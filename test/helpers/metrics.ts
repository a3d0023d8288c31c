import { env } from "cloudflare:test";
import parsePrometheusTextFormat, { type ParsedFamily, type ParsedSample } from "parse-prometheus-text-format";
import { call, type BindingOverrides, type TestApp } from "./app";

/** A METRICS_TOKEN for the tests: long enough for the setting's rule. */
export const METRICS_TOKEN = "metrics-token-for-the-tests-0123456789";

/**
 * The METRICS_AGGREGATOR binding, pointed at an aggregator of the caller's own: every app given it
 * flushes to the same object, and no other test's requests reach that object.
 */
export function aggregatorOfItsOwn(): DurableObjectNamespace & { calls: number } {
  const real = env.METRICS_AGGREGATOR;
  const name = `test-${crypto.randomUUID()}`;
  const namespace = {
    /** Stubs asked for: one per call the app makes to the aggregator. */
    calls: 0,
    idFromName: () => real.idFromName(name),
    get: (id: DurableObjectId) => {
      namespace.calls += 1;
      return real.get(id);
    },
  };
  return namespace as unknown as DurableObjectNamespace & { calls: number };
}

/** Bindings for an app whose metrics flush after every request to `aggregator`, with the test's token. */
export function meteredBindings(aggregator: DurableObjectNamespace, more: BindingOverrides = {}): BindingOverrides {
  return { METRICS_AGGREGATOR: aggregator, METRICS_TOKEN, METRICS_FLUSH_SECONDS: "0", ...more };
}

/** `GET /metrics` through `app`, parsed by the Prometheus text-format parser. */
export async function scrape(app: TestApp, bindings: BindingOverrides): Promise<Scraped> {
  const response = await call(app, "/metrics", { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } }, bindings);
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}: ${await response.text()}`);
  return new Scraped(parsePrometheusTextFormat(await response.text()));
}

/** A parsed scrape, read by family and labels. */
export class Scraped {
  constructor(readonly families: ParsedFamily[]) {}

  family(name: string): ParsedFamily | undefined {
    return this.families.find((family) => family.name === name);
  }

  /** The sample of `name` whose labels are exactly `labels`. */
  sample(name: string, labels: Record<string, string>): ParsedSample | undefined {
    return this.family(name)?.metrics.find((sample) => sameLabels(sample.labels ?? {}, labels));
  }

  /** A counter's value, 0 when the series does not exist. */
  counter(name: string, labels: Record<string, string> = {}): number {
    return Number(this.sample(name, labels)?.value ?? 0);
  }
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
