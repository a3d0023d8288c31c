/**
 * Every metric the app exports, by Prometheus conventions: base units (seconds), `_total` on
 * counters. Label values come only from closed sets (route templates, methods, status classes,
 * error codes, tiers), never from raw paths or ids, so the series count stays bounded.
 */
export type MetricType = "counter" | "histogram";

export interface MetricDefinition {
  type: MetricType;
  help: string;
}

/** Upper bounds of the duration histograms, in seconds; 0.5 s is the latency SLO's threshold. */
export const REQUEST_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
export const DATABASE_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

export const METRICS = {
  http_requests_total: { type: "counter", help: "Requests answered, by route template, method and status class." },
  http_request_duration_seconds: { type: "histogram", help: "Time from the request's arrival to its response, by route template and method." },
  http_errors_total: { type: "counter", help: "Problem responses, by error code." },
  db_calls_total: { type: "counter", help: "Calls that reached the database (queries, batches, transactions, pings), by outcome." },
  db_call_duration_seconds: { type: "histogram", help: "Duration of each database call." },
  cache_lookups_total: { type: "counter", help: "Cache reads, by tier and result." },
  rate_limit_decisions_total: { type: "counter", help: "Rate-limit decisions, by route group, decision and whether the isolate's fallback decided." },
  auth_events_total: { type: "counter", help: "Authentication attempts, by method, outcome and reason of a refusal." },
  background_jobs_total: {
    type: "counter",
    help: "Work items of the background jobs (queue messages, cron runs), by kind and outcome: ok, retried, failed (given up: dead-lettered or abandoned), dropped (malformed).",
  },
  metrics_series_dropped_total: { type: "counter", help: "Samples the aggregator dropped because its series bound was reached." },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;

/** Samples' names (the family's, or a histogram's `_bucket`, `_sum`, `_count`) the app exports. */
export function exportedSampleNames(): string[] {
  return Object.entries(METRICS).flatMap(([name, { type }]) =>
    type === "histogram" ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
  );
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The method as a label: one of the methods the API knows, else `OTHER`. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : "OTHER";
}

/** @example statusClass(404) // "4xx" */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : "other";
}

/** The route label of a request no endpoint took (404, 405, a preflight): raw paths never become labels. */
export const UNMATCHED_ROUTE = "unmatched";
