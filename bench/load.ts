// Drives one HTTP scenario with autocannon over loopback and prints results as a table.
import autocannon from "autocannon";
import type { Scenario } from "./scenarios.ts";

export interface LoadSettings {
  /** Seconds measured per scenario, in `rounds` equal slices. */
  duration: number;
  /**
   * How many slices each scenario's measurement is cut into: the run measures a slice of every
   * scenario in turn, round after round, so a machine that slows down or speeds up during the run
   * weighs on every scenario alike and the ratios between them hold.
   */
  rounds: number;
  /** Seconds of discarded load before each scenario's first slice. */
  warmup: number;
  /**
   * Seconds of discarded load before every later slice: what an isolate adapts to the load it sees
   * (the rate limit's leases grow while a client spends them fast) has gone back to idle while the
   * other scenarios ran.
   */
  sliceWarmup: number;
  connections: number;
}

export interface ScenarioResult {
  name: string;
  requestsPerSecond: number;
  /** Milliseconds, from every response's own timing (autocannon's histogram rounds to whole ms). */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  responses: number;
  non2xx: number;
  /** Responses whose status was not the scenario's expected one. */
  unexpected: number;
  /** Connection errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  /** Requests per second of each round's slice, in round order: what `pairedRatio` compares. */
  sliceRates: number[];
  /** Database (Neon HTTP requests and WebSocket sessions) and Redis round trips per request, from a sequential sample after the load. */
  roundTrips?: { database: number; redis: number };
}

/** Bounded settings from BENCH_DURATION, BENCH_WARMUP and BENCH_CONNECTIONS. */
export function loadSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LoadSettings {
  const read = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return value;
  };
  return {
    duration: read("BENCH_DURATION", 10, 1, 300),
    warmup: read("BENCH_WARMUP", 3, 0, 60),
    connections: Math.round(read("BENCH_CONNECTIONS", 10, 1, 256)),
    rounds: Math.round(read("BENCH_ROUNDS", 5, 1, 50)),
    sliceWarmup: read("BENCH_SLICE_WARMUP", 0.5, 0, 60),
  };
}

/** The value at quantile q of sorted values (nearest rank). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

/** The most response timings kept per scenario; beyond that, autocannon keeps counting. */
const MAX_SAMPLES = 5_000_000;

interface RawRun {
  result: autocannon.Result;
  latencies: Float64Array;
  unexpected: number;
}

/** One autocannon run, stopped by its duration, or by a guard timer if it overruns. */
function cannon(url: string, scenario: Scenario, seconds: number, connections: number, record: boolean): Promise<RawRun> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(record ? 65_536 : 0);
    let count = 0;
    let unexpected = 0;
    const instance = autocannon(
      {
        url: url + scenario.path,
        method: scenario.method,
        headers: scenario.headers,
        body: scenario.body,
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
      },
      (error, result) => {
        clearTimeout(guard);
        if (error) reject(error);
        else resolve({ result, latencies: latencies.subarray(0, count), unexpected });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (statusCode !== scenario.expectedStatus) unexpected++;
      if (!record || count >= MAX_SAMPLES) return;
      if (count === latencies.length) {
        const grown = new Float64Array(Math.min(MAX_SAMPLES, latencies.length * 2));
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = responseTime;
    });
    const guard = setTimeout(() => instance.stop(), (seconds + 30) * 1000);
  });
}

/** One slice of a scenario's measurement: what `collect` adds up over the rounds. */
export interface ScenarioSlice {
  seconds: number;
  responses: number;
  non2xx: number;
  unexpected: number;
  errors: number;
  statusCodes: Record<string, number>;
  latencies: Float64Array;
}

/** The discarded load before a scenario's first slice. `baseUrl` is e.g. http://127.0.0.1:41234. */
export async function warmUp(baseUrl: string, scenario: Scenario, settings: LoadSettings): Promise<void> {
  if (settings.warmup > 0) await cannon(baseUrl, scenario, settings.warmup, scenario.connections ?? settings.connections, false);
}

/** One measured slice of `seconds`, after `warmup` seconds of discarded load. */
export async function measureSlice(baseUrl: string, scenario: Scenario, settings: LoadSettings, seconds: number, warmup: number): Promise<ScenarioSlice> {
  const connections = scenario.connections ?? settings.connections;
  if (warmup > 0) await cannon(baseUrl, scenario, warmup, connections, false);
  const { result, latencies, unexpected } = await cannon(baseUrl, scenario, seconds, connections, true);
  return {
    seconds,
    responses: result.requests.total,
    non2xx: result.non2xx,
    unexpected,
    errors: result.errors + result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    latencies,
  };
}

/** A scenario's slices as one result: requests/s over their whole time, percentiles over every response. */
export function collect(name: string, slices: readonly ScenarioSlice[]): ScenarioResult {
  const total = (pick: (slice: ScenarioSlice) => number) => slices.reduce((sum, slice) => sum + pick(slice), 0);
  const sorted = new Float64Array(total((slice) => slice.latencies.length));
  let offset = 0;
  for (const { latencies } of slices) {
    sorted.set(latencies, offset);
    offset += latencies.length;
  }
  sorted.sort();
  const statusCodes: Record<string, number> = {};
  for (const slice of slices) for (const [code, count] of Object.entries(slice.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  return {
    name,
    requestsPerSecond: total((slice) => slice.responses) / total((slice) => slice.seconds),
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    responses: total((slice) => slice.responses),
    non2xx: total((slice) => slice.non2xx),
    unexpected: total((slice) => slice.unexpected),
    errors: total((slice) => slice.errors),
    statusCodes,
    sliceRates: slices.map((slice) => slice.responses / slice.seconds),
  };
}

/**
 * Two scenarios' throughput compared round by round: the ratio of the slices each round measured
 * (seconds apart, where their totals are minutes apart), summarised by its median and range. A
 * burst of other work on the machine moves one round's ratio, not the median.
 * @example pairedRatio([90, 60, 80], [100, 100, 100]) // { median: 0.8, min: 0.6, max: 0.9 }
 */
export function pairedRatio(mine: readonly number[], theirs: readonly number[]): { median: number; min: number; max: number } | undefined {
  const ratios = mine.slice(0, theirs.length).flatMap((rate, round) => (theirs[round]! > 0 ? [rate / theirs[round]!] : []));
  if (ratios.length === 0) return undefined;
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A plain-text table with right-aligned numbers. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  return [line(headers), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : "-");

export function formatResults(results: ScenarioResult[]): string {
  return formatTable(
    ["scenario", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "responses", "non-2xx", "unexpected", "errors", "db/req", "redis/req"],
    results.map((r) => [
      r.name,
      r.requestsPerSecond.toFixed(0),
      ms(r.p50),
      ms(r.p90),
      ms(r.p99),
      ms(r.max),
      String(r.responses),
      String(r.non2xx),
      String(r.unexpected),
      String(r.errors),
      r.roundTrips ? r.roundTrips.database.toFixed(2) : "-",
      r.roundTrips ? r.roundTrips.redis.toFixed(2) : "-",
    ]),
  );
}

/** One line per scenario with `compareTo`: its throughput and median latency relative to the other. */
export function formatComparisons(scenarioList: Scenario[], results: ScenarioResult[]): string[] {
  const byName = new Map(results.map((result) => [result.name, result]));
  const lines: string[] = [];
  for (const scenario of scenarioList) {
    if (!scenario.compareTo) continue;
    const mine = byName.get(scenario.name);
    const theirs = byName.get(scenario.compareTo);
    if (!mine || !theirs) continue;
    const paired = pairedRatio(mine.sliceRates, theirs.sliceRates);
    const rounds = paired && mine.sliceRates.length > 1 ? ` (by round: median ×${paired.median.toFixed(2)}, ×${paired.min.toFixed(2)}–×${paired.max.toFixed(2)})` : "";
    lines.push(
      `${mine.name} / ${theirs.name}: req/s ×${(mine.requestsPerSecond / theirs.requestsPerSecond).toFixed(2)}${rounds}, ` +
        `p50 ×${(mine.p50 / theirs.p50).toFixed(2)} (${ms(mine.p50)} vs ${ms(theirs.p50)} ms)`,
    );
  }
  return lines;
}
