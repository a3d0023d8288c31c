// `npm run bench:rate-counter`: what one call to the RateCounter Durable Object costs the Worker.
// Bundles bench/rate-counter-worker.ts and runs it on workerd directly, the object's storage in a
// temporary directory, then times sequential requests over loopback, one at a time: a route that
// makes no call, and routes that make one consume (through the client, and on the bare stub) or one
// peek. A call's cost is its route's median minus the empty route's. The Worker also times a loop
// of consumes itself, whose mean has no HTTP in it (its clock moves in whole milliseconds).
// A measurement: it exits 0 whatever the figures, 1 only if it cannot run.
//
// Settings (environment): BENCH_RATE_COUNTER_CALLS (1000), BENCH_RATE_COUNTER_WARMUP (100).
import { envCount, stopWorkerdOnSignals } from "./cli.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundleBenchWorker } from "./build.ts";
import { formatTable, quantile } from "./load.ts";
import { readWranglerCompatibility, startWorkerd, type WorkerdInstance } from "./workerd.ts";

/** No single request may take longer than this; the run stops with an error instead. */
const CALL_TIMEOUT_MS = 5_000;

const calls = envCount("BENCH_RATE_COUNTER_CALLS", 1000, 100_000);
const warmup = envCount("BENCH_RATE_COUNTER_WARMUP", 100, 10_000);
const ms = (value: number) => value.toFixed(3);

let instance: WorkerdInstance | undefined;
let scratch: string | undefined;

async function cleanup(): Promise<void> {
  await instance?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}

stopWorkerdOnSignals(cleanup);

async function get(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${body.slice(0, 300)}`);
  return body;
}

/** `warmup` untimed then `calls` timed sequential GETs of `url`; returns sorted ms. */
async function timeRequests(url: string): Promise<Float64Array> {
  for (let i = 0; i < warmup; i++) await get(url);
  const times = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await get(url);
    times[i] = performance.now() - started;
  }
  return times.sort();
}

try {
  scratch = await mkdtemp(path.join(tmpdir(), "bench-rate-counter-"));
  const bundle = await bundleBenchWorker("rate-counter-worker.ts", path.join(scratch, "rate-counter-worker.js"));
  instance = await startWorkerd({
    name: "rate-counter",
    bundlePath: bundle.bundlePath,
    durableObjects: [{ name: "RATE_COUNTER", className: "RateCounter", sqlite: true }],
    ...readWranglerCompatibility(),
  });
  console.log(`workerd: ${instance.url} (pid ${instance.pid}); ${warmup} warm-up + ${calls} timed sequential requests per route\n`);

  const routes = [
    ["no call (GET /none)", "/none"],
    ["client consume (GET /consume)", "/consume"],
    ["client peek (GET /peek)", "/peek"],
    ["stub consume, no client (GET /stub-consume)", "/stub-consume"],
  ] as const;
  const results: Array<{ label: string; times: Float64Array }> = [];
  for (const [label, route] of routes) results.push({ label, times: await timeRequests(instance.url + route) });

  const baseline = quantile(results[0]!.times, 0.5);
  console.log(
    formatTable(
      ["route", "requests", "median ms", "p90 ms", "p99 ms", "max ms", "median − none"],
      results.map(({ label, times }) => [
        label,
        String(times.length),
        ms(quantile(times, 0.5)),
        ms(quantile(times, 0.9)),
        ms(quantile(times, 0.99)),
        ms(times[times.length - 1]!),
        ms(quantile(times, 0.5) - baseline),
      ]),
    ),
  );

  const loop = JSON.parse(await get(`${instance.url}/consume-loop?calls=${calls}`)) as { calls: number; elapsedMs: number };
  console.log(`\ninside the Worker: ${loop.calls} sequential client consumes in ${loop.elapsedMs} ms, ${ms(loop.elapsedMs / loop.calls)} ms each on average`);
} catch (error) {
  console.error(`bench:rate-counter failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
