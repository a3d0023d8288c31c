// `npm run bench`: builds the Worker, runs it, a bare Hono Worker and the floor on workerd directly, drives
// every scenario in bench/scenarios.ts with autocannon over loopback, and prints one table; then the
// fan-out scenario (bench/fan-out.ts): one notification to 1,000 sockets of one hub, its latencies.
//
// Settings (environment): BENCH_DURATION seconds measured per scenario (10), BENCH_ROUNDS how many
// interleaved slices they are measured in (5: a slice of every scenario in turn, round after round),
// BENCH_WARMUP seconds of discarded load before each (3) and BENCH_SLICE_WARMUP before each later
// slice (0.5), BENCH_CONNECTIONS (10), BENCH_ONLY a substring of the scenario
// names to run (the scenarios they compare to run too), BENCH_KEEP_LOGS=1 writes workerd's stdout
// (the app logs one line per request) to a log file and keeps it; by default stdout goes to
// /dev/null and stderr to a file deleted at exit.
import { stopWorkerdOnSignals } from "./cli.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fanOutScenarios, formatFanOut, runFanOut, type FanOutResult } from "./fan-out.ts";
import { BUILD_ENV, buildBareWorker, buildWorker, bundleBenchWorker, formatBuild, type BuildResult } from "./build.ts";
import { collect, formatComparisons, formatResults, loadSettingsFromEnv, measureSlice, warmUp, type ScenarioResult, type ScenarioSlice } from "./load.ts";
import { generateSigningKeySet } from "../src/lib/tokens/key-generation.ts";
import { startBenchDatabase, type BenchDatabase } from "./database.ts";
import { seedForBench, signInForBench } from "./session.ts";
import { APP_BINDINGS, BENCH_OWN_WORKERS, benchRateLimits, PING_WORKERS, scenarios, type Scenario, type WorkerName } from "./scenarios.ts";
import { INSTANCE_ROOT, probe, readWranglerCompatibility, readWranglerDurableObjects, readWranglerQueues, startWorkerd, type WorkerdInstance } from "./workerd.ts";

const settings = loadSettingsFromEnv();
/** One-minute load average before this script's own work. */
const [load] = loadavg();
const only = process.env.BENCH_ONLY;
const selected: Scenario[] = only ? withBaselines(scenarios.filter((scenario) => scenario.name.includes(only))) : scenarios;
const selectedFanOut = only ? fanOutScenarios.filter((scenario) => scenario.name.includes(only)) : fanOutScenarios;
const keepLog = process.env.BENCH_KEEP_LOGS === "1";
const instances: WorkerdInstance[] = [];
let scratch: string | undefined;

let database: BenchDatabase | undefined;
/** Requests in the sequential sample that counts a scenario's round trips. */
const ROUND_TRIP_SAMPLE = 20;

async function cleanup(): Promise<void> {
  await Promise.allSettled(instances.splice(0).map((instance) => instance.close()));
  const closing = database;
  database = undefined;
  await closing?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}

stopWorkerdOnSignals(cleanup);

try {
  if (selected.length === 0 && selectedFanOut.length === 0) throw new Error(`BENCH_ONLY=${JSON.stringify(only)} matches no scenario`);
  const { compatibilityDate, compatibilityFlags } = readWranglerCompatibility();
  const workersNeeded = new Set<WorkerName>([...selected, ...selectedFanOut].map((scenario) => scenario.worker));

  const bundles = new Map<WorkerName, BuildResult>();
  scratch = await mkdtemp(path.join(tmpdir(), "bench-"));
  const appWorkers = (["app", "app, metrics off", "app, Redis cache"] as const).filter((name) => workersNeeded.has(name));
  if (appWorkers.length > 0) {
    const app = await buildWorker();
    for (const name of appWorkers) bundles.set(name, app);
    console.log(`app:  ${formatBuild(app)}`);
  }
  const pingWorkers = [...workersNeeded].filter((name) => PING_WORKERS[name]);
  if (pingWorkers.length > 0) {
    const ping = await buildWorker({ entry: "bench/ping-app.ts", outdir: path.join(scratch, "ping") });
    for (const name of pingWorkers) bundles.set(name, ping);
    console.log(`ping: ${formatBuild(ping)}`);
  }
  if (workersNeeded.has("bare")) {
    const bare = await buildBareWorker(path.join(scratch, "bare-worker.js"));
    bundles.set("bare", bare);
    console.log(`bare: ${formatBuild(bare)}`);
  }
  if (workersNeeded.has("floor")) {
    const floor = await bundleBenchWorker("floor-worker.ts", path.join(scratch, "floor-worker.js"));
    bundles.set("floor", floor);
    console.log(`floor: ${formatBuild(floor)}`);
  }

  const bench = await startBenchDatabase();
  database = bench;
  const signingKeys = JSON.stringify(await generateSigningKeySet());
  /**
   * The app's bindings: the database's, Upstash's only where the Worker counts on it, and RATE_LIMITS.
   * The app's own scenarios run with the api limit off, so they measure what they always did (with
   * one client, every request would wait on one counter); the ping Workers show the limit's cost.
   */
  const appBindings = (name: WorkerName): Record<string, string> => {
    const ping = PING_WORKERS[name];
    return {
      ...APP_BINDINGS,
      ...bench.bindings,
      ...(ping?.upstash || name === "app, Redis cache" ? bench.upstash : {}),
      REDIS_KEY_PREFIX: bench.redisKeyPrefix,
      JWT_SIGNING_KEYS: signingKeys,
      RATE_LIMITS: benchRateLimits(`${bench.redisKeyPrefix}${name.replace(/\W+/g, "-")}`, ping?.api ?? "off"),
      // Issue 9's pair: metrics and tracing both off (/health answers before tracing would start).
      ...(name === "app, metrics off" ? { METRICS_ENABLED: "false", TRACING: "off" } : {}),
    };
  };
  const running = new Map<WorkerName, WorkerdInstance>();
  for (const [name, bundle] of bundles) {
    const isApp = !BENCH_OWN_WORKERS.has(name);
    const instance = await startWorkerd({
      name,
      bundlePath: bundle.bundlePath,
      bindings: isApp ? appBindings(name) : {},
      // The bundle exports its Durable Object classes; workerd needs their namespaces and bindings.
      durableObjects: isApp ? readWranglerDurableObjects(BUILD_ENV) : [],
      // The bundle's queue producers (MAIL_QUEUE), bound to a stand-in that drops what they send.
      queues: isApp ? readWranglerQueues(BUILD_ENV) : [],
      compatibilityDate,
      compatibilityFlags,
      // console.log output (one line per request from the app) goes to /dev/null unless kept.
      stdout: keepLog ? "file" : "discard",
      keepLog,
    });
    instances.push(instance);
    running.set(name, instance);
    console.log(`workerd ${name}: ${instance.url} (pid ${instance.pid}, ${keepLog ? `log ${instance.logPath}` : "stdout discarded"})`);
  }

  console.log(
    `\n${selected.length + selectedFanOut.length} scenario(s), each ${settings.warmup} s warm-up + ${settings.duration} s measured in ${settings.rounds} interleaved round(s), ` +
      `${settings.connections} connections, compatibility date ${compatibilityDate}, ${availableParallelism()} CPU(s), node ${process.version}, ` +
      `Durable Object storage under ${INSTANCE_ROOT}\n`,
  );
  if (load !== undefined && load > availableParallelism() / 2) {
    console.log(`note: load average ${load.toFixed(2)} before the run: other work on this machine will skew the figures\n`);
  }
  const needsSession = selected.some((scenario) => scenario.withSession);
  const session = needsSession ? await signInForBench((running.get("app") ?? running.get("app, Redis cache"))!.url) : undefined;
  if (session && selected.some((scenario) => scenario.needsWorkspace)) session.workspace = await seedForBench(bench.postgresUrl, session.email);
  const runs = selected.map((template) => {
    const scenario = template.withSession ? { ...template, ...template.withSession(session!) } : template;
    return { scenario, instance: running.get(scenario.worker)!, slices: [] as ScenarioSlice[] };
  });
  for (const { scenario, instance } of runs) {
    await probe(instance.url + scenario.path, scenario.expectedStatus, { method: scenario.method, headers: scenario.headers, body: scenario.body });
    process.stdout.write(`warming up ${scenario.name}…\n`);
    await warmUp(instance.url, scenario, settings);
  }
  // Every round measures a slice of every scenario, in turn; every other round in the reverse
  // order, so a drift in the machine's speed during a round falls on both ends alike.
  const sliceSeconds = settings.duration / settings.rounds;
  for (let round = 0; round < settings.rounds; round++) {
    process.stdout.write(`round ${round + 1} of ${settings.rounds}…\n`);
    const order = round % 2 === 0 ? runs : runs.toReversed();
    for (const run of order) run.slices.push(await measureSlice(run.instance.url, run.scenario, settings, sliceSeconds, round === 0 ? 0 : settings.sliceWarmup));
  }
  const results: ScenarioResult[] = [];
  for (const { scenario, instance, slices } of runs) {
    const result = collect(scenario.name, slices);
    results.push(BENCH_OWN_WORKERS.has(scenario.worker) ? result : { ...result, roundTrips: await sampleRoundTrips(instance.url, scenario, bench) });
  }

  const fanOutResults: FanOutResult[] = [];
  for (const scenario of selectedFanOut) {
    const instance = running.get(scenario.worker)!;
    process.stdout.write(`running ${scenario.name}…\n`);
    fanOutResults.push(await runFanOut(instance.url, session ?? (await signInForBench(instance.url)), scenario));
  }

  if (results.length > 0) console.log(`\n${formatResults(results)}\n`);
  if (fanOutResults.length > 0) console.log(`\n${formatFanOut(fanOutResults)}\n`);
  for (const result of fanOutResults) {
    if (result.missing > 0) {
      console.log(`error: ${result.name}: ${result.missing} notification(s) never arrived`);
      process.exitCode = 1;
    }
  }
  for (const line of formatComparisons(selected, results)) console.log(line);
  for (const result of results) {
    if (result.unexpected > 0 || result.errors > 0) {
      // Failures only concurrency shows (a request going on inside another's context) surface here
      // and nowhere in the test suite, whose requests share one context: they fail the run.
      console.log(`error: ${result.name}: ${result.unexpected} unexpected status(es) ${JSON.stringify(result.statusCodes)}, ${result.errors} error(s)`);
      process.exitCode = 1;
    }
  }
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

/**
 * The database and Redis round trips one request of `scenario` makes, in the state the load left
 * (caches warm): the stack's arrivals over ROUND_TRIP_SAMPLE sequential requests, after a pause for
 * the load's stragglers and with one for work the Worker left to `waitUntil`.
 */
async function sampleRoundTrips(baseUrl: string, scenario: Scenario, bench: BenchDatabase): Promise<{ database: number; redis: number }> {
  // The load's last requests may still be running in workerd when autocannon returns.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = bench.arrivals();
  for (let request = 0; request < ROUND_TRIP_SAMPLE; request++) {
    const response = await fetch(baseUrl + scenario.path, { method: scenario.method, headers: { "Accept-Encoding": "identity", ...scenario.headers }, body: scenario.body, signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  const after = bench.arrivals();
  const per = (count: number) => count / ROUND_TRIP_SAMPLE;
  return { database: per(after.neonHttp - before.neonHttp + after.neonWs - before.neonWs), redis: per(after.upstash - before.upstash) };
}

/** `picked`, plus the scenarios they are compared to, so BENCH_ONLY still prints its ratios. */
function withBaselines(picked: Scenario[]): Scenario[] {
  const names = new Set(picked.flatMap((scenario) => [scenario.name, ...(scenario.compareTo ? [scenario.compareTo] : [])]));
  return scenarios.filter((scenario) => names.has(scenario.name));
}
