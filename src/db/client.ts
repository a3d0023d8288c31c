import { neon, neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle as drizzleHttp, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { drizzle as drizzleWs, type NeonDatabase } from "drizzle-orm/neon-serverless";
import type { Config } from "../env";
import * as schema from "./schema";

/** The only module that imports the Neon driver. */
export interface Database {
  /** One-shot queries and `batch([...])`, each a single HTTP round trip and, for a batch, one transaction. */
  http: NeonHttpDatabase<typeof schema>;
  /**
   * Runs `work` in an interactive transaction over the WebSocket Pool, opened and closed
   * inside this call. Use only when a statement depends on the result of an earlier one.
   */
  transaction<T>(work: (tx: Parameters<Parameters<NeonDatabase<typeof schema>["transaction"]>[0]>[0]) => Promise<T>): Promise<T>;
  /** Runs `select 1`, failing after `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
}

function pointNeonAtLocalStack(config: Config): void {
  if (config.NEON_HTTP_ENDPOINT) {
    const endpoint = config.NEON_HTTP_ENDPOINT;
    neonConfig.fetchEndpoint = () => endpoint;
  }
  if (config.NEON_WS_PROXY) {
    const proxy = config.NEON_WS_PROXY;
    neonConfig.wsProxy = () => proxy;
    neonConfig.useSecureWebSocket = false;
    // Neon's default sends the password before the server asks, which local PostgreSQL
    // (trust or SCRAM authentication) and PGlite do not accept.
    neonConfig.pipelineConnect = false;
  }
}

export function createDatabase(config: Config): Database {
  pointNeonAtLocalStack(config);
  const sql = neon(config.DATABASE_URL);
  const http = drizzleHttp({ client: sql, schema, casing: "snake_case" });

  return {
    http,
    async transaction(work) {
      const pool = new Pool({ connectionString: config.DATABASE_URL, max: 1 });
      // workerd (compatibility date 2026-04-07 and later) reports the socket's close after
      // `end()` as an error on the idle client; unhandled, it would be an uncaught exception.
      pool.on("error", (error: Error) => console.warn(JSON.stringify({ level: "warn", message: "database pool error", error: error.message })));
      try {
        return await drizzleWs({ client: pool, schema, casing: "snake_case" }).transaction(work);
      } finally {
        await pool.end();
      }
    },
    async ping(timeoutMs) {
      await sql.query("select 1", [], { fetchOptions: { signal: AbortSignal.timeout(timeoutMs) } });
    },
  };
}
