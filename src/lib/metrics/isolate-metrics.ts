import type { Clock } from "../clock";
import type { MetricName } from "./definitions";

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
  name: string;
  labels: string;
  bounds: readonly number[];
  /** Per bucket, not cumulative; the last one is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * What one isolate counted since its last flush: deltas only, summed by the MetricsAggregator. An
 * isolate may die at any time, so its counts are a buffer, never the truth; at most one flush runs
 * at a time, and a failed one puts its samples back for the next.
 */
export class IsolateMetrics {
  readonly #counters = new Map<string, number>();
  readonly #histograms = new Map<string, HistogramDelta>();
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
    const series = labels ? `${name}{${labels}}` : name;
    const current = this.#counters.get(series);
    if (current !== undefined) this.#counters.set(series, current + by);
    else if (this.#hasRoom()) this.#counters.set(series, by);
    else this.#dropped += by;
  }

  /** Records one observation (seconds) in a histogram with `bounds`. */
  observe(name: MetricName, labels: string, value: number, bounds: readonly number[]): void {
    const key = `${name}{${labels}}`;
    let histogram = this.#histograms.get(key);
    if (!histogram) {
      if (!this.#hasRoom()) {
        this.#dropped += 1;
        return;
      }
      histogram = { name, labels, bounds, counts: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.#histograms.set(key, histogram);
    }
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
    histogram.counts[bucket]! += 1;
    histogram.sum += value;
    histogram.count += 1;
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

  #hasRoom(): boolean {
    return this.#counters.size + this.#histograms.size < MAX_ISOLATE_SERIES;
  }

  #restore(series: string, value: number): void {
    const current = this.#counters.get(series);
    if (current !== undefined) this.#counters.set(series, current + value);
    else if (this.#hasRoom()) this.#counters.set(series, value);
  }

  /** Every delta as samples (histograms as cumulative `_bucket`, `_sum`, `_count`), and a fresh start. */
  #drain(): Sample[] {
    const samples: Sample[] = [...this.#counters];
    for (const histogram of this.#histograms.values()) samples.push(...histogramSamples(histogram));
    if (this.#dropped > 0) samples.push(["metrics_series_dropped_total", this.#dropped]);
    this.#counters.clear();
    this.#histograms.clear();
    this.#requests = 0;
    this.#dropped = 0;
    return samples;
  }
}

/** A flush slower than this (twice the aggregator's bound) was cut off with its request. */
const FLUSH_STALE_MS = 10_000;

function histogramSamples({ name, labels, bounds, counts, sum, count }: HistogramDelta): Sample[] {
  const prefix = labels ? `${labels},` : "";
  const samples: Sample[] = [];
  let cumulative = 0;
  for (let bucket = 0; bucket <= bounds.length; bucket++) {
    cumulative += counts[bucket]!;
    const le = bucket < bounds.length ? String(bounds[bucket]) : "+Inf";
    samples.push([`${name}_bucket{${prefix}le="${le}"}`, cumulative]);
  }
  const suffix = labels ? `{${labels}}` : "";
  samples.push([`${name}_sum${suffix}`, sum], [`${name}_count${suffix}`, count]);
  return samples;
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
