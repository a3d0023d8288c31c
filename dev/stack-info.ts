/** Everything a client needs to reach the local stack; printed as one JSON line by `npm run stack`. */
export interface StackInfo {
  /** What the Worker uses as DATABASE_URL; the endpoints take user, password and database from it. */
  databaseUrl: string;
  /** For `neonConfig.fetchEndpoint`. */
  neonHttpUrl: string;
  /** For `neonConfig.wsProxy`: host:port/path. */
  neonWsProxy: string;
  /** Null when no Redis is configured. */
  upstashUrl: string | null;
  upstashToken: string | null;
  /** Fault injection control API (see dev/control-server.ts). */
  controlUrl: string;
  pglite: boolean;
}
