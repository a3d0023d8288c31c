import type { Clock } from "../clock";
import { REQUEST_DURATION_BUCKETS, type MetricName } from "./definitions";

/** One sample as the aggregator keeps it: its series (`name{labels}`, as exposed) and the amount it moved. */
export type Sample = [series: string, value: number];

/**
 * Series one isolate holds between flushes. The labels' sets are closed, so real traffic stays far
 * below it; the bound keeps a mistake from growing an isolate's memory.
 */
export const MAX_ISOLATE_SERIES = 4096;

/** Past this many requests since the last flush, the next request flushes whatever the interval says. */
export const FLUSH_EVERY_REQUESTS = 1000;

interface HistogramDelta {
  bounds: readonly number[];
  /** Per bucket, not cumulative; the last one is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/** One route and method's requests: counts by status class (index 1 to 5, 0 for anything else) and durations. */
interface RequestDelta {
  byClass: number[];
  durations: HistogramDelta;
}

const STATUS_CLASSES = ["other", "1xx", "2xx", "3xx", "4xx", "5xx"] as const;

/**
 * What one isolate counted since its last flush: deltas only, summed by the MetricsAggregator. An
 * isolate may die at any time, so its counts are a buffer, never the truth; at most one flush runs
 * at a time, and a failed one puts its samples back for the next. Counts are kept in maps keyed by
 * strings that are the same objects from one request to the next (route templates, metric names,
 * label texts made once), so counting builds no string; the series' text is made at flush time.
 */
export class IsolateMetrics {
  /** By metric name, then label text. */
  readonly #counters = new Map<MetricName, Map<string, number>>();
  readonly #histograms = new Map<MetricName, Map<string, HistogramDelta>>();
  /** By route template, then method. */
  readonly #requestDeltas = new Map<string, Map<string, RequestDelta>>();
  /** Samples of a failed flush, sent again with the next. */
  readonly #carried = new Map<string, number>();
  #series = 0;
  #requests = 0;
  #dropped = 0;
  #flushedAt: number;
  /** When the flush under way started; a flush whose request was cut off never settles, so it expires. */
  #flushingSince: number | undefined;

  constructor(readonly clock: Clock) {
    this.#flushedAt = clock();
  }

  /** Adds `by` to a counter; `labels` from `labelText`. */
  count(name: MetricName, labels: string, by = 1): void {
    let family = this.#counters.get(name);
    if (!family) this.#counters.set(name, (family = new Map()));
    const current = family.get(labels);
    if (current !== undefined) family.set(labels, current + by);
    else if (this.#claimSeries(1)) family.set(labels, by);
    else this.#dropped += by;
  }

  /** Records one observation (seconds) in a histogram with `bounds`. */
  observe(name: MetricName, labels: string, value: number, bounds: readonly number[]): void {
    let family = this.#histograms.get(name);
    if (!family) this.#histograms.set(name, (family = new Map()));
    let histogram = family.get(labels);
    if (!histogram) {
      if (!this.#claimSeries(1)) {
        this.#dropped += 1;
        return;
      }
      family.set(labels, (histogram = newHistogram(bounds)));
    }
    addObservation(histogram, value);
  }

  /** One answered request (`method` as `methodLabel` gives it): `http_requests_total` and `http_request_duration_seconds`. */
  request(route: string, method: string, status: number, seconds: number): void {
    let byMethod = this.#requestDeltas.get(route);
    if (!byMethod) this.#requestDeltas.set(route, (byMethod = new Map()));
    let delta = byMethod.get(method);
    if (!delta) {
      if (!this.#claimSeries(2)) {
        this.#dropped += 1;
        return;
      }
      byMethod.set(method, (delta = { byClass: [0, 0, 0, 0, 0, 0], durations: newHistogram(REQUEST_DURATION_BUCKETS) }));
    }
    const klass = status >= 100 && status < 600 ? Math.floor(status / 100) : 0;
    delta.byClass[klass]! += 1;
    addObservation(delta.durations, seconds);
  }

  /** Notes a finished request; true when a flush is due (FLUSH_EVERY_REQUESTS, or `intervalMs` since the last). */
  requestDone(intervalMs: number): boolean {
    this.#requests += 1;
    const now = this.clock();
    if (this.#flushingSince !== undefined && now - this.#flushingSince < FLUSH_STALE_MS) return false;
    return this.#requests >= FLUSH_EVERY_REQUESTS || now - this.#flushedAt >= intervalMs;
  }

  /**
   * Takes everything counted so far and hands it to `send` (the aggregator), off the request path.
   * Does nothing while another flush is under way; on failure the samples are kept for the next one.
   */
  async flush(send: (samples: Sample[]) => Promise<void>): Promise<void> {
    const now = this.clock();
    if (this.#flushingSince !== undefined && now - this.#flushingSince < FLUSH_STALE_MS) return;
    const samples = this.#drain();
    this.#flushedAt = now;
    if (samples.length === 0) return;
    this.#flushingSince = now;
    try {
      await send(samples);
    } catch (error) {
      for (const [series, value] of samples) this.#restore(series, value);
      throw error;
    } finally {
      this.#flushingSince = undefined;
    }
  }

  #claimSeries(count: number): boolean {
    if (this.#series + count > MAX_ISOLATE_SERIES) return false;
    this.#series += count;
    return true;
  }

  #restore(series: string, value: number): void {
    const current = this.#carried.get(series);
    if (current !== undefined) this.#carried.set(series, current + value);
    else if (this.#claimSeries(1)) this.#carried.set(series, value);
  }

  /** Every delta as samples (histograms as cumulative `_bucket`, `_sum`, `_count`), one per series, and a fresh start. */
  #drain(): Sample[] {
    const samples = new Map(this.#carried);
    const add = (series: string, value: number) => samples.set(series, (samples.get(series) ?? 0) + value);
    for (const [name, family] of this.#counters) {
      for (const [labels, value] of family) add(labels ? `${name}{${labels}}` : name, value);
    }
    for (const [name, family] of this.#histograms) {
      for (const [labels, histogram] of family) addHistogram(add, name, labels, histogram);
    }
    for (const [route, byMethod] of this.#requestDeltas) {
      for (const [method, { byClass, durations }] of byMethod) {
        byClass.forEach((count, klass) => {
          if (count > 0) add(`http_requests_total{${labelText({ route, method, status_class: STATUS_CLASSES[klass]! })}}`, count);
        });
        addHistogram(add, "http_request_duration_seconds", labelText({ route, method }), durations);
      }
    }
    if (this.#dropped > 0) add("metrics_series_dropped_total", this.#dropped);
    this.#carried.clear();
    this.#counters.clear();
    this.#histograms.clear();
    this.#requestDeltas.clear();
    this.#series = 0;
    this.#requests = 0;
    this.#dropped = 0;
    return [...samples];
  }
}

function newHistogram(bounds: readonly number[]): HistogramDelta {
  return { bounds, counts: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0 };
}

function addObservation(histogram: HistogramDelta, value: number): void {
  const { bounds } = histogram;
  let bucket = 0;
  while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
  histogram.counts[bucket]! += 1;
  histogram.sum += value;
  histogram.count += 1;
}

/** A flush slower than this (twice the aggregator's bound) was cut off with its request. */
const FLUSH_STALE_MS = 10_000;

function addHistogram(add: (series: string, value: number) => void, name: string, labels: string, { bounds, counts, sum, count }: HistogramDelta): void {
  const prefix = labels ? `${labels},` : "";
  let cumulative = 0;
  for (let bucket = 0; bucket <= bounds.length; bucket++) {
    cumulative += counts[bucket]!;
    const le = bucket < bounds.length ? String(bounds[bucket]) : "+Inf";
    add(`${name}_bucket{${prefix}le="${le}"}`, cumulative);
  }
  const suffix = labels ? `{${labels}}` : "";
  add(`${name}_sum${suffix}`, sum);
  add(`${name}_count${suffix}`, count);
}

/**
 * Labels as exposition text, values escaped as the format requires.
 * @example labelText({ route: "/v1/me", method: "GET" }) // 'route="/v1/me",method="GET"'
 */
export function labelText(labels: Record<string, string>): string {
  let text = "";
  for (const name in labels) {
    if (text) text += ",";
    text += `${name}="${escapeLabelValue(labels[name]!)}"`;
  }
  return text;
}

function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n") : value;
}
