import { DurableObject } from "cloudflare:workers";
import type { Sample } from "../lib/metrics/isolate-metrics";

/**
 * Series the aggregator keeps. Labels come from closed sets (route templates, not paths), so the
 * app's real count is a few thousand; past the bound, new series are dropped and counted.
 */
export const MAX_AGGREGATED_SERIES = 20_000;
/** Samples one flush may carry: an isolate holds at most MAX_ISOLATE_SERIES series, a histogram a dozen samples. */
export const MAX_SAMPLES_PER_ADD = 100_000;
const MAX_SERIES_LENGTH = 512;
const DROPPED = "metrics_series_dropped_total";

/**
 * Sums the deltas every isolate flushes (one object for the Worker, addressed by name) into its
 * SQLite storage, so counters survive the object's restart, and hands back the totals for
 * `GET /metrics`. Each add runs without an `await`, so no other call interleaves with it.
 */
export class MetricsAggregator extends DurableObject<Env> {
  #seriesCount: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS series (key TEXT PRIMARY KEY, value REAL NOT NULL)");
    this.#seriesCount = sql.exec<{ n: number }>("SELECT count(*) AS n FROM series").one().n;
  }

  /** Adds each sample's value to its series; a series past the bound is dropped and counted. */
  add(samples: Sample[]): void {
    if (!Array.isArray(samples) || samples.length > MAX_SAMPLES_PER_ADD) throw new RangeError("samples must be an array of at most 100000");
    const sql = this.ctx.storage.sql;
    let dropped = 0;
    this.ctx.storage.transactionSync(() => {
      for (const sample of samples) {
        const [series, value] = Array.isArray(sample) ? sample : [];
        if (typeof series !== "string" || series.length > MAX_SERIES_LENGTH || typeof value !== "number" || !Number.isFinite(value) || value < 0) {
          throw new RangeError("a sample is [series, finite non-negative value]");
        }
        if (sql.exec("UPDATE series SET value = value + ? WHERE key = ?", value, series).rowsWritten > 0) continue;
        if (this.#seriesCount >= MAX_AGGREGATED_SERIES && series !== DROPPED) {
          dropped += 1;
          continue;
        }
        sql.exec("INSERT INTO series (key, value) VALUES (?, ?)", series, value);
        this.#seriesCount += 1;
      }
      if (dropped > 0 && sql.exec("UPDATE series SET value = value + ? WHERE key = ?", dropped, DROPPED).rowsWritten === 0) {
        sql.exec("INSERT INTO series (key, value) VALUES (?, ?)", DROPPED, dropped);
        this.#seriesCount += 1;
      }
    });
  }

  /** Adds `samples`, then answers every total: a scrape's flush and read in one round trip. */
  exchange(samples: Sample[]): Sample[] {
    this.add(samples);
    return this.read();
  }

  /** Every series and its total. */
  read(): Sample[] {
    return this.ctx.storage.sql
      .exec<{ key: string; value: number }>("SELECT key, value FROM series")
      .toArray()
      .map(({ key, value }) => [key, value] as Sample);
  }
}
