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

/** The Worker's bindings that point it at a local stack. */
export type WorkerBindings = {
  DATABASE_URL: string;
  NEON_HTTP_ENDPOINT: string;
  NEON_WS_PROXY: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
};

/**
 * The bindings a Worker needs to use the stack `info` describes, Upstash only when the stack has
 * Redis. The one mapping used by `npm run dev`, the test harness and tests that bind the app to
 * another stack.
 * @example app.request("/ready", {}, { ...env, ...workerBindings(faultStack("ready")) })
 */
export function workerBindings(info: StackInfo): WorkerBindings {
  return {
    DATABASE_URL: info.databaseUrl,
    NEON_HTTP_ENDPOINT: info.neonHttpUrl,
    NEON_WS_PROXY: info.neonWsProxy,
    ...(info.upstashUrl && info.upstashToken ? { UPSTASH_REDIS_REST_URL: info.upstashUrl, UPSTASH_REDIS_REST_TOKEN: info.upstashToken } : {}),
  };
}

/**
 * The private fault stacks, one per test file that injects faults, so a fault set in one file is
 * seen by no other file running at the same time. To give a new file its own, add a name here.
 */
export const FAULT_STACK_NAMES = [
  /** test/app/ready.test.ts */
  "ready",
  /** test/db/client.test.ts */
  "database",
  /** test/stack/faults.test.ts, the conformance suite's fault injection */
  "conformance",
  /** reserved for the database timeout tests */
  "timeouts",
  /** test/middleware/rate-limit-failures.test.ts: Upstash slow or down */
  "rate-limits",
  /** test/app/breakers.test.ts: the circuit breakers around PostgreSQL and Redis */
  "breakers",
  /** test/routes/me/me-cache.test.ts: the cache with Upstash slow or down */
  "cache",
  /** test/db/slow-queries.test.ts: the slow-query log under injected latency */
  "slow-queries",
  /** test/middleware/idempotency.test.ts: Idempotency-Key with the database slow or failing and Redis down */
  "idempotency",
] as const;

export type FaultStackName = (typeof FAULT_STACK_NAMES)[number];

/**
 * Stacks over a database of their own (fresh, migrated, dropped with the run's), one per test file
 * whose rows would change what every other file's requests see. To give a new file its own, add a
 * name here.
 */
export const OWN_DATABASE_STACK_NAMES = [
  /** test/routes/admin/ip-rules.test.ts: the admins' IP rules apply to every request of the database */
  "ip-rules",
  /** test/jobs/purge-expired.test.ts: the purge deletes every expired row of the database, and the hourly cron other files trigger would take its rows */
  "expired-purge",
] as const;

export type OwnDatabaseStackName = (typeof OWN_DATABASE_STACK_NAMES)[number];

/** The mock sign-in providers of a test run (dev/oauth-mocks.ts), and the app's credentials there. */
export interface OAuthMockInfo {
  google: { clientId: string; clientSecret: string; issuer: string; authorizationUrl: string; tokenUrl: string; jwksUrl: string };
  github: { clientId: string; clientSecret: string; authorizationUrl: string; tokenUrl: string; apiUrl: string };
}

/** The Worker's settings that point Google and GitHub sign-in at the mock providers. */
export function oauthBindings(info: OAuthMockInfo): Record<string, string> {
  return {
    GOOGLE_CLIENT_ID: info.google.clientId,
    GOOGLE_CLIENT_SECRET: info.google.clientSecret,
    GOOGLE_AUTHORIZATION_URL: info.google.authorizationUrl,
    GOOGLE_TOKEN_URL: info.google.tokenUrl,
    GOOGLE_JWKS_URL: info.google.jwksUrl,
    GOOGLE_ISSUER: info.google.issuer,
    GITHUB_CLIENT_ID: info.github.clientId,
    GITHUB_CLIENT_SECRET: info.github.clientSecret,
    GITHUB_AUTHORIZATION_URL: info.github.authorizationUrl,
    GITHUB_TOKEN_URL: info.github.tokenUrl,
    GITHUB_API_URL: info.github.apiUrl,
  };
}

/** What the test stacks give one run of the suite (see dev/test-stacks.ts). */
export interface TestStacks {
  /** The local stack over the machine's PostgreSQL (a fresh database for this run) and Redis. */
  stack: StackInfo;
  /** The same stack over an in-memory PGlite, for the conformance suite's second pass. */
  pgliteStack: StackInfo;
  /** Stacks over the same database and Redis, whose faults only their own test file sees. */
  faultStacks: Record<FaultStackName, StackInfo>;
  /** Stacks over a database of their own and the same Redis; faults too reach only their own file. */
  ownDatabaseStacks: Record<OwnDatabaseStackName, StackInfo>;
  /** Every Redis key a test writes starts with it; the run's keys are deleted when the stacks close. */
  redisKeyPrefix: string;
  /** A stand-in OTLP collector and Sentry ingest that records what it is sent (dev/telemetry-receiver.ts). */
  telemetryReceiverUrl: string;
  /** Outbound webhooks' receiver on loopback: records posts, answers the status its path names (dev/webhook-receiver.ts). */
  webhookReceiverUrl: string;
  /** Google's and GitHub's stand-ins for sign-in, on loopback. */
  oauthProviders: OAuthMockInfo;
}
