// `npm run bench:stack`: what the local edge stack's bridges add per call. Starts the stack (dev/
// stack.ts) against the machine's PostgreSQL and Redis, then times sequential calls, one at a time:
//   - `select $1::int` through the Neon HTTP endpoint with the real driver (`neon()`), and over a
//     direct `pg` connection;
//   - GET through the Upstash REST server with the real `@upstash/redis` client, and over a direct
//     RESP connection (the stack's own RESP client, dev/upstash/resp-client.ts).
// Prints median, p90 and p99 per call and the median added cost (bridge − direct), against the
// 1 ms target. A measurement: it exits 0 whether the target is met or not, 1 only if it cannot run.
//
// Settings (environment): BENCH_STACK_CALLS (1000), BENCH_STACK_WARMUP (100),
// BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres), BENCH_REDIS_URL (redis://127.0.0.1:6379).
import { envCount } from "./cli.ts";
import { randomBytes } from "node:crypto";
import { neon } from "@neondatabase/serverless";
import { Redis } from "@upstash/redis";
import pg from "pg";
import { createLogger } from "../dev/logger.ts";
import { startStack, type Stack } from "../dev/stack.ts";
import { parseRedisUrl, RedisConnection } from "../dev/upstash/resp-client.ts";
import { RedisError } from "../dev/upstash/resp.ts";
import { formatTable, quantile } from "./load.ts";
import { pointNeonAtLocalStack } from "../src/db/local-neon.ts";

const TARGET_MS = 1;
/** No single call may take longer than this; the loop stops with an error instead. */
const CALL_TIMEOUT_MS = 5_000;

const calls = envCount("BENCH_STACK_CALLS", 1000, 100_000);
const warmup = envCount("BENCH_STACK_WARMUP", 100, 10_000);
const databaseUrl = process.env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.BENCH_REDIS_URL || "redis://127.0.0.1:6379";

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `call(i)` sequentially, `warmup` times untimed then `calls` times timed; returns sorted ms. */
async function timeCalls(label: string, call: (i: number) => Promise<void>): Promise<Float64Array> {
  for (let i = 0; i < warmup; i++) await withTimeout(call(i), `${label} warm-up call ${i}`);
  const times = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await withTimeout(call(i), `${label} call ${i}`);
    times[i] = performance.now() - start;
  }
  return times.sort();
}

interface PathResult {
  label: string;
  times: Float64Array;
}

const ms = (value: number) => value.toFixed(3);

let stack: Stack | undefined;
let pgClient: pg.Client | undefined;
let redisConnection: RedisConnection | undefined;
const redisKey = `bench:stack:${randomBytes(6).toString("hex")}`;
let stopping = false;

let cleaning: Promise<void> | undefined;
/** Deletes the key and closes everything, once, whoever calls first (the run's end or a signal). */
function cleanup(): Promise<void> {
  cleaning ??= closeAll();
  return cleaning;
}

async function closeAll(): Promise<void> {
  if (redisConnection && !redisConnection.closed) await withTimeout(redisConnection.exec([["DEL", redisKey]]), "DEL").catch(() => {});
  redisConnection?.destroy();
  await pgClient?.end().catch(() => {});
  await stack?.close();
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    stopping = true;
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  stack = await startStack({ databaseUrl, redisUrl, logger: createLogger("stack", { quiet: true }) });
  const { info } = stack;
  if (!info.upstashUrl || !info.upstashToken) throw new Error("the stack started no Upstash endpoint");
  console.log(`stack: neon http ${info.neonHttpUrl}, upstash ${info.upstashUrl}; ${warmup} warm-up + ${calls} timed sequential calls per path\n`);

  // SQL: the Neon driver over the HTTP endpoint, and pg straight to PostgreSQL.
  pointNeonAtLocalStack({ httpEndpoint: info.neonHttpUrl });
  const sql = neon(info.databaseUrl);
  pgClient = new pg.Client({ connectionString: databaseUrl });
  await pgClient.connect();
  const client = pgClient;
  const expectNumber = (rows: Record<string, unknown>[], i: number, via: string) => {
    const value = rows[0] ? Object.values(rows[0])[0] : undefined;
    if (value !== i) throw new Error(`${via}: select ${i}::int returned ${JSON.stringify(value)}`);
  };
  const neonTimes = await timeCalls("neon http", async (i) => expectNumber(await sql.query("select $1::int", [i]), i, "neon http"));
  const pgTimes = await timeCalls("pg direct", async (i) => expectNumber((await client.query("select $1::int", [i])).rows, i, "pg direct"));

  // Redis: @upstash/redis over the REST server, and RESP straight to Redis.
  redisConnection = await RedisConnection.open(parseRedisUrl(redisUrl), () => {});
  const connection = redisConnection;
  const value = `bench-${randomBytes(8).toString("hex")}`;
  const [setReply] = await connection.exec([["SET", redisKey, value, "EX", "600"]]);
  if (setReply instanceof RedisError) throw new Error(`SET failed: ${setReply.message}`);
  const redis = new Redis({ url: info.upstashUrl, token: info.upstashToken, retry: false, enableTelemetry: false });
  const expectValue = (got: unknown, via: string) => {
    const text = Buffer.isBuffer(got) ? got.toString() : got;
    if (text !== value) throw new Error(`${via}: GET returned ${JSON.stringify(text)}`);
  };
  const upstashTimes = await timeCalls("upstash rest", async () => expectValue(await redis.get<string>(redisKey), "upstash rest"));
  const respTimes = await timeCalls("redis direct", async () => expectValue((await connection.exec([["GET", redisKey]]))[0], "redis direct"));

  const paths: PathResult[] = [
    { label: "SQL via Neon HTTP (neon())", times: neonTimes },
    { label: "SQL direct (pg)", times: pgTimes },
    { label: "GET via Upstash REST (@upstash/redis)", times: upstashTimes },
    { label: "GET direct (RESP)", times: respTimes },
  ];
  console.log(
    formatTable(
      ["path", "calls", "median ms", "p90 ms", "p99 ms", "max ms"],
      paths.map(({ label, times }) => [label, String(times.length), ms(quantile(times, 0.5)), ms(quantile(times, 0.9)), ms(quantile(times, 0.99)), ms(times[times.length - 1]!)]),
    ),
  );
  console.log("");
  const added = (bridge: Float64Array, direct: Float64Array) => quantile(bridge, 0.5) - quantile(direct, 0.5);
  for (const [name, cost] of [
    ["Neon HTTP", added(neonTimes, pgTimes)],
    ["Upstash REST", added(upstashTimes, respTimes)],
  ] as const) {
    console.log(`${name} added cost per call (median bridge − median direct): ${ms(cost)} ms — ${cost < TARGET_MS ? "PASS" : "FAIL"} (target < ${TARGET_MS} ms)`);
  }
} catch (error) {
  if (!stopping) console.error(`bench:stack failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
