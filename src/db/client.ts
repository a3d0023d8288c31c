import { neon, Pool } from "@neondatabase/serverless";
import { drizzle as drizzleHttp, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { drizzle as drizzleWs, type NeonDatabase } from "drizzle-orm/neon-serverless";
import type { Config } from "../env";
import type { DependencyGuard } from "../lib/dependency-guard";
import { DependencyUnavailableError } from "../lib/errors";
import { createLogger, type Logger } from "../lib/logger";
import { NO_TRACER, type Tracer } from "../lib/tracing/tracer";
import { configureNeon, neonFetchOptions } from "./neon-config";
import { ObservedQueries } from "./query-observer";
import * as schema from "./schema";

type Transaction = Parameters<Parameters<NeonDatabase<typeof schema>["transaction"]>[0]>[0];

/** The only module that imports the Neon driver. */
export interface Database {
  /** One-shot queries and `batch([...])`, each a single HTTP round trip and, for a batch, one transaction. */
  http: NeonHttpDatabase<typeof schema>;
  /**
   * Runs `work` in an interactive transaction over the WebSocket Pool, opened and closed inside this
   * call and bounded as a whole by `DATABASE_TIMEOUT_MS`. Use only when a statement depends on the
   * result of an earlier one.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Runs `select 1`, failing after `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
}

/**
 * SQLSTATEs that mean the database, not the statement, failed: connection exceptions (08), too many
 * connections (53300), statement timeout or cancel (57014), shutdown (57P01-57P03).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|53300|57014|57P0[1-3])$/;

export interface DatabaseOptions {
  /**
   * Runs every call that reaches the database: each HTTP query and batch, each interactive
   * transaction from its Pool connect to its end (the isolate's circuit breaker, see AppScope).
   */
  guard?: DependencyGuard;
  /** Records a client span per call (the request's tracer; none when tracing is off). */
  tracer?: Tracer;
  /** The logger for slow-query lines: the request's, so they carry its ids. */
  log?: () => Logger;
}

const unguarded: DependencyGuard = { run: (call) => call() };

export function createDatabase(config: Config, { guard = unguarded, tracer = NO_TRACER, log = () => createLogger({ level: config.LOG_LEVEL }) }: DatabaseOptions = {}): Database {
  const timeoutMs = config.DATABASE_TIMEOUT_MS;
  configureNeon({ httpEndpoint: config.NEON_HTTP_ENDPOINT, wsProxy: config.NEON_WS_PROXY });
  const serverAddress = new URL(config.DATABASE_URL).hostname;
  const observer = new ObservedQueries({ tracer, slowQueryMs: config.SLOW_QUERY_MS, log, serverAddress });
  const sql = neon(config.DATABASE_URL, { fetchOptions: neonFetchOptions({ timeoutMs, guard, observer }) });
  const http = drizzleHttp({ client: sql, schema, casing: "snake_case" });

  return {
    http,
    transaction: (work) => guard.run(() => tracedTransaction(tracer, serverAddress, () => runTransaction(config, work))),
    async ping(pingTimeoutMs) {
      const bound = neonFetchOptions({ timeoutMs: Math.min(pingTimeoutMs, timeoutMs), guard, observer });
      await sql.query("select 1", [], { fetchOptions: bound });
    },
  };
}

/** A transaction's span: the WebSocket protocol cannot carry `traceparent`, but the call is recorded. */
async function tracedTransaction<T>(tracer: Tracer, serverAddress: string, run: () => Promise<T>): Promise<T> {
  const span = tracer.startCall("postgresql transaction", { "db.system.name": "postgresql", "server.address": serverAddress });
  let failed = true;
  try {
    const result = await run();
    failed = false;
    return result;
  } finally {
    span.end(failed);
  }
}

/** `work` in an interactive transaction on a Pool of its own, bounded as a whole by DATABASE_TIMEOUT_MS. */
async function runTransaction<T>(config: Config, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const timeoutMs = config.DATABASE_TIMEOUT_MS;
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    max: 1,
    connectionTimeoutMillis: timeoutMs,
    // Sent as start-up parameters: the server ends a statement, or an abandoned transaction, itself.
    statement_timeout: timeoutMs,
    idle_in_transaction_session_timeout: timeoutMs,
  });
  // workerd (compatibility date 2026-04-07 and later) reports the socket's close after
  // `end()` as an error on the idle client; unhandled, it would be an uncaught exception.
  pool.on("error", (error: Error) => console.warn(JSON.stringify({ level: "warn", msg: "database pool error", error: error.message })));
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new DependencyUnavailableError("database", "timeout"));
    }, timeoutMs);
  });
  const running = drizzleWs({ client: pool, schema, casing: "snake_case" }).transaction(work);
  // Past the deadline nobody awaits it any more.
  running.catch(() => {});
  try {
    return await Promise.race([running, deadline]);
  } catch (error) {
    throw asUnavailable(error);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    // A stalled pool would not end either; the request's end cancels its socket.
    if (timedOut) void pool.end().catch(() => {});
    else await pool.end();
  }
}

/** A database failure (not a failure of the caller's work) as a DependencyUnavailableError. */
function asUnavailable(error: unknown): unknown {
  if (error instanceof DependencyUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && UNAVAILABLE_SQLSTATE.test(code)) return new DependencyUnavailableError("database", "unreachable", { cause: error });
  if (isConnectFailure(error)) return new DependencyUnavailableError("database", "unreachable", { cause: error });
  return error;
}

/** pg's messages for a connection that could not be made or was lost (it gives them no code). */
function isConnectFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /timeout expired|connection timeout|Connection terminated|ECONNREFUSED|WebSocket|Network connection lost/i.test(error.message);
}
