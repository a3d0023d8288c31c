// `npm run bench:middleware`: where the global middleware spends its time. Builds
// bench/middleware-worker.ts as Wrangler builds the app, runs one workerd per variant (the app with
// some global middleware left out, see that file) and measures what a request costs workerd on each
// path; the difference between two variants is what the middleware left out costs. Two measures:
// - cpu (default): autocannon load, and the CPU time workerd spent read from /proc (every thread's
//   schedstat, in nanoseconds); rounds run the variants in turn and the table shows medians. Far
//   steadier than requests per second when other work shares the machine, but not immune to it.
// - instructions (BENCH_MEASURE=instructions): workerd under valgrind's callgrind, sequential
//   requests, counters zeroed after the warm-up and dumped after the measured ones: the same figure
//   within about ±5 % whatever else the machine does, at some fifty times the time per request.
// Needs PostgreSQL and Redis as `npm test` does: a /v1 request reads the IP rules from a database,
// and the api limit counts on the Durable Objects. Every path is probed first and every measured
// request checked: a variant answering anything but the expected status fails the run. Linux only.
// Otherwise a measurement: it exits 0 whatever the figures.
//
// Settings (environment): BENCH_MEASURE (cpu), BENCH_DURATION seconds per measurement (4),
// BENCH_WARMUP (1), BENCH_CONNECTIONS (10), BENCH_ROUNDS (3), BENCH_ONLY a comma-separated list of
// variant labels, BENCH_PATHS a comma-separated list of paths; for instructions, BENCH_REQUESTS (1000) and BENCH_WARMUP_REQUESTS (500) per path.
import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { BUILD_ENV, buildWorker, ROOT } from "./build.ts";
import { envCount, stopWorkerdOnSignals } from "./cli.ts";
import { formatTable, loadSettingsFromEnv, median } from "./load.ts";
import { startBenchDatabase, type BenchDatabase } from "./database.ts";
import { APP_BINDINGS, benchRateLimits } from "./scenarios.ts";
import { readWranglerCompatibility, readWranglerDurableObjects, readWranglerQueues, startWorkerd, type WorkerdInstance } from "./workerd.ts";
import { generateSigningKeySet } from "../src/lib/tokens/key-generation.ts";

/** The global middleware in app.ts's order (the /v1/* ones included), by the names of their functions. */
const MIDDLEWARE = [
  // The request id, metrics, trace context, request log and secure headers, as hooks of one (src/middleware/around.ts).
  "envelope",
  // Configuration, tracing and services, as hooks of one.
  "requestContext",
  "cors",
  "ipRules",
  "compression",
  "crossSite",
  "jsonBody",
  "bodyLimit",
  "publicCache",
  "authenticate",
  "rateLimit",
  "etag",
  "mutableResponse",
] as const;
/** /health is mounted after the first: the rest never run for it. */
const BEFORE_LIVENESS = 1;
/** The JWKS is a small 200 JSON answer: what an ETag costs a short body. */
const PATHS = ["/health", "/v1/bench/ping", "/v1/nope", "/v1/openapi.json", "/.well-known/jwks.json"] as const;
/** What each path must answer; a measurement of anything else (a 503 from a dependency) is refused. */
const EXPECTED_STATUS: Record<string, number> = { "/v1/nope": 404 };

interface Variant {
  label: string;
  variant: string;
  paths: readonly string[];
  /** Bindings of this variant's own, over the shared ones. */
  bindings?: Record<string, string>;
  /** Measured beside the ladder, not a rung of it: its step is from the first row, and the next rung's step skips it. */
  aside?: boolean;
}

const without = (names: readonly string[]) => `without:${names.join(",")}`;
/** A ladder: no middleware, then one more at a time, in the app's order; the last step is the app. */
const ladder: Variant[] = [
  { label: "bare Hono", variant: "bare", paths: ["/health"] },
  // What the tests require of /health and the ping, made in one handler: the floor the app's design is measured against.
  { label: "bare Hono answering as the app must", variant: "floor", paths: ["/health", "/v1/bench/ping"], aside: true },
  { label: "Hono with app routes", variant: `hono-${without(MIDDLEWARE)}`, paths: PATHS },
  { label: "OpenAPIHono with app routes", variant: without(MIDDLEWARE), paths: PATHS },
  ...MIDDLEWARE.map((name, index) => ({
    label: `+ ${name}`,
    variant: without(MIDDLEWARE.slice(index + 1)),
    paths: index < BEFORE_LIVENESS ? PATHS : PATHS.slice(1),
  })),
  { label: "app (createApp)", variant: "app", paths: PATHS },
  // The same app with tracing switched off by configuration: no span is built, none logged.
  { label: "app with TRACING=off", variant: "app", paths: PATHS, bindings: { TRACING: "off" } },
  // Issue 9's pair: what metrics and tracing together cost.
  { label: "app without metrics and tracing", variant: "app", paths: PATHS, bindings: { TRACING: "off", METRICS_ENABLED: "false" } },
  // The rate limit's own cost, on a counter that answers at once (see middleware-worker.ts): under
  // callgrind a request is so slow that a lease's second covers a handful of them.
  { label: "+ authenticate (stub counter)", variant: without(MIDDLEWARE.slice(MIDDLEWARE.indexOf("rateLimit"))), paths: ["/v1/bench/ping"], bindings: { BENCH_COUNTER: "stub" } },
  { label: "+ rateLimit (stub counter)", variant: without(MIDDLEWARE.slice(MIDDLEWARE.indexOf("rateLimit") + 1)), paths: ["/v1/bench/ping"], bindings: { BENCH_COUNTER: "stub" } },
  { label: "app (stub counter)", variant: "app", paths: ["/v1/bench/ping"], bindings: { BENCH_COUNTER: "stub" } },
];

const settings = loadSettingsFromEnv({ BENCH_DURATION: "4", BENCH_WARMUP: "1", ...process.env });
const measureName = process.env.BENCH_MEASURE ?? "cpu";
if (measureName !== "cpu" && measureName !== "instructions") throw new Error(`BENCH_MEASURE must be cpu or instructions, got ${JSON.stringify(measureName)}`);
const rounds = envCount("BENCH_ROUNDS", measureName === "cpu" ? 3 : 1, 50);
const requests = envCount("BENCH_REQUESTS", 1000, 1_000_000);
const warmupRequests = envCount("BENCH_WARMUP_REQUESTS", 500, 1_000_000);
const only = process.env.BENCH_ONLY?.split(",").map((label) => label.trim());
const onlyPaths = process.env.BENCH_PATHS?.split(",").map((pathname) => pathname.trim());
const variants = (only ? ladder.filter((variant) => only.includes(variant.label)) : ladder)
  .map((variant) => (onlyPaths ? { ...variant, paths: variant.paths.filter((pathname) => onlyPaths.includes(pathname)) } : variant))
  .filter((variant) => variant.paths.length > 0);
const instances: WorkerdInstance[] = [];
let scratch: string | undefined;
let database: BenchDatabase | undefined;

async function cleanup(): Promise<void> {
  await Promise.allSettled(instances.splice(0).map((instance) => instance.close()));
  if (scratch) await rm(scratch, { recursive: true, force: true });
  await database?.close();
  database = undefined;
}

/** Refuses to measure a path that does not answer as it should (every variant is probed first). */
async function expectStatus(url: string): Promise<void> {
  // As autocannon asks (npm run bench): no Accept-Encoding, where fetch would offer gzip.
  const response = await fetch(url, { headers: { "Accept-Encoding": "identity" }, signal: AbortSignal.timeout(60_000) });
  await response.arrayBuffer();
  const expected = EXPECTED_STATUS[new URL(url).pathname] ?? 200;
  if (response.status !== expected) throw new Error(`${url}: answered ${response.status}, expected ${expected}`);
}

stopWorkerdOnSignals(cleanup);

/** Nanoseconds of CPU every thread of `pid` has run (the third field is time waiting to run). */
async function cpuNanoseconds(pid: number): Promise<number> {
  let total = 0;
  for (const task of await readdir(`/proc/${pid}/task`)) {
    const text = await readFile(`/proc/${pid}/task/${task}/schedstat`, "utf8").catch(() => "0");
    total += Number(text.split(" ")[0]);
  }
  return total;
}

function cannon(url: string, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: settings.connections, pipelining: 1, duration: seconds, timeout: 10 }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

interface Sample {
  /** CPU microseconds, or thousands of instructions, per request. */
  cost: number;
  requestsPerSecond?: number;
}

async function measureCpu(instance: WorkerdInstance, url: string): Promise<Sample> {
  await expectStatus(url);
  if (settings.warmup > 0) await cannon(url, settings.warmup);
  const before = await cpuNanoseconds(instance.pid);
  const result = await cannon(url, settings.duration);
  const after = await cpuNanoseconds(instance.pid);
  if (result.non2xx > 0 && !url.endsWith("/nope")) throw new Error(`${url}: ${result.non2xx} non-2xx responses`);
  return { cost: (after - before) / 1000 / result.requests.total, requestsPerSecond: result.requests.mean };
}

let dumps = 0;

/** Sequential requests to workerd under callgrind; its counters are zeroed after the warm-up and dumped after. */
async function measureInstructions(instance: WorkerdInstance, url: string, outFile: string): Promise<Sample> {
  const get = () => expectStatus(url);
  for (let i = 0; i < warmupRequests; i++) await get();
  execFileSync("callgrind_control", ["--zero", String(instance.pid)], { stdio: "ignore" });
  for (let i = 0; i < requests; i++) await get();
  const tag = `measured-${++dumps}`;
  execFileSync("callgrind_control", [`--dump=${tag}`, String(instance.pid)], { stdio: "ignore" });
  let total = 0;
  const directory = path.dirname(outFile);
  for (const file of await readdir(directory)) {
    if (!file.startsWith(path.basename(outFile))) continue;
    const text = await readFile(path.join(directory, file), "utf8");
    // One dump per thread that ran; each names what triggered it.
    if (!new RegExp(`^desc: Trigger: .*\\b${tag}$`, "m").test(text)) continue;
    total += Number(/^(?:totals|summary): (\d+)/m.exec(text)?.[1] ?? 0);
  }
  if (total === 0) throw new Error(`${url}: callgrind wrote no counts for ${tag}`);
  return { cost: total / 1000 / requests };
}

try {
  scratch = await mkdtemp(path.join(tmpdir(), "bench-middleware-"));
  const bundle = await buildWorker({ entry: path.join(ROOT, "bench", "middleware-worker.ts"), outdir: scratch });
  const keys = JSON.stringify(await generateSigningKeySet());
  // The IP rules are read from the database on a /v1 request: without one each would answer 503.
  database = await startBenchDatabase();
  const running = new Map<string, { instance: WorkerdInstance; outFile: string }>();
  for (const variant of variants) {
    const outFile = path.join(scratch, `callgrind-${instances.length}.out`);
    const instance = await startWorkerd({
      name: variant.label,
      launcher: measureName === "instructions" ? ["valgrind", "--tool=callgrind", `--callgrind-out-file=${outFile}`, "--dump-instr=no", "--dump-line=no"] : undefined,
      bundlePath: bundle.bundlePath,
      // The api limit on the Durable Objects, never reached: what counting a request costs.
      bindings: {
        ...APP_BINDINGS,
        ...database.bindings,
        REDIS_KEY_PREFIX: database.redisKeyPrefix,
        RATE_LIMITS: benchRateLimits(`${database.redisKeyPrefix}variant-${instances.length}`, "on"),
        JWT_SIGNING_KEYS: keys,
        // Work on a timer (a metrics flush, an IP rules read) costs a request more the longer it
        // takes, and under callgrind that is the machine's load: at their longest, metrics flush
        // every 1,000 requests and the rules are read once a run. (The leases of the real counter
        // still last a second: see the stub counter variants.)
        METRICS_FLUSH_SECONDS: "300",
        IP_RULES_TTL_SECONDS: "300",
        BENCH_VARIANT: variant.variant,
        ...variant.bindings,
      },
      // As `npm run bench` binds them: without RATE_COUNTER every limited request failed open (an
      // error, a warning line and the fallback cap), which is what the "real counter" rows measured.
      durableObjects: readWranglerDurableObjects(BUILD_ENV),
      queues: readWranglerQueues(BUILD_ENV),
      ...readWranglerCompatibility(),
    });
    instances.push(instance);
    running.set(variant.label, { instance, outFile });
  }
  console.log(
    measureName === "cpu"
      ? `${variants.length} variants × ${rounds} rounds, CPU time: ${settings.warmup} s warm-up + ${settings.duration} s per path, ` +
          `${settings.connections} connections, load average ${loadavg()[0]!.toFixed(2)}\n`
      : `${variants.length} variants × ${rounds} rounds, instructions under callgrind: ${warmupRequests} + ${requests} sequential requests per path\n`,
  );

  const samples = new Map<string, Sample[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const variant of variants) {
      for (const pathname of variant.paths) {
        const { instance, outFile } = running.get(variant.label)!;
        const url = instance.url + pathname;
        const sample = measureName === "cpu" ? await measureCpu(instance, url) : await measureInstructions(instance, url, outFile);
        const key = `${variant.label}\u0000${pathname}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
      }
    }
    console.log(`round ${round} done, load average ${loadavg()[0]!.toFixed(2)}`);
  }

  for (const pathname of PATHS) {
    const rows: string[][] = [];
    let first: number | undefined;
    let previous: number | undefined;
    for (const variant of variants) {
      const list = samples.get(`${variant.label}\u0000${pathname}`);
      if (!list) continue;
      const cost = median(list.map((sample) => sample.cost));
      const from = variant.aside ? first : previous;
      const rates = list.flatMap((sample) => (sample.requestsPerSecond === undefined ? [] : [sample.requestsPerSecond]));
      rows.push([
        variant.label,
        cost.toFixed(1),
        from === undefined ? "" : (cost - from >= 0 ? "+" : "") + (cost - from).toFixed(1),
        `${Math.min(...list.map((sample) => sample.cost)).toFixed(1)}-${Math.max(...list.map((sample) => sample.cost)).toFixed(1)}`,
        rates.length ? median(rates).toFixed(0) : "-",
      ]);
      first ??= cost;
      if (!variant.aside) previous = cost;
    }
    if (rows.length > 0) console.log(`\nGET ${pathname}\n${formatTable(["variant", measureName === "cpu" ? "CPU µs/req" : "k instr/req", "step", "range", "req/s"], rows)}`);
  }
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
