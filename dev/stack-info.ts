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

/** The stacks the test suite starts for one run (see dev/test-stacks.ts). */
export interface TestStacks {
  /** The local stack over the machine's PostgreSQL (a fresh database for this run) and Redis. */
  stack: StackInfo;
  /** The same stack over an in-memory PGlite, for the conformance suite's second pass. */
  pgliteStack: StackInfo;
  /** A second stack over the same database and Redis, whose faults no other test file sees. */
  faultStack: StackInfo;
  /** Likewise, for the conformance suite's fault-injection tests. */
  conformanceFaultStack: StackInfo;
}
