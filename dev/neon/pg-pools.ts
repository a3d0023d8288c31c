import pg from "pg";
import type { Logger } from "../logger.ts";
import type { PgTarget } from "./types.ts";

export interface Credentials {
  user: string;
  /** Empty means "connect without a password" (trust auth, PGlite). */
  password: string;
  database: string;
}

const IDLE_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;

/** One lazily created pg.Pool per (user, password, database), all aimed at the configured target. */
export class PgPools {
  readonly #pools = new Map<string, pg.Pool>();
  readonly #target: PgTarget;
  readonly #logger: Logger;

  constructor(target: PgTarget, logger: Logger) {
    this.#target = target;
    this.#logger = logger;
  }

  get(credentials: Credentials): pg.Pool {
    const key = JSON.stringify([credentials.user, credentials.password, credentials.database]);
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = new pg.Pool({
        host: this.#target.host,
        port: this.#target.port,
        user: credentials.user,
        password: credentials.password === "" ? undefined : credentials.password,
        database: credentials.database,
        application_name: "dev-neon-http",
        max: this.#target.maxConnectionsPerDatabase ?? 10,
        idleTimeoutMillis: IDLE_TIMEOUT_MS,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        allowExitOnIdle: true,
      });
      // An idle client that loses its server emits here; without a listener the process would crash.
      pool.on("error", (error) =>
        this.#logger.warn("idle PostgreSQL connection failed", {
          database: credentials.database,
          error: error.message,
        }),
      );
      this.#pools.set(key, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.end().catch(() => {})));
  }
}
