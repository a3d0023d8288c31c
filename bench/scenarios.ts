// The HTTP scenarios `npm run bench` drives, in order. To add one, append an entry: every scenario
// runs with the same warm-up, duration and connections (see bench/load.ts).

/**
 * Which Worker answers: this app's bundle (dist/index.js), with the api rate limit off (the `auth`
 * limit, on the Durable Objects, stays on); the app with the bench's ping route (bench/ping-app.ts)
 * and its api rate limit off, on the Durable Objects or on Upstash; the app with Upstash configured, so
 * the cache's Redis tier is on (the api limit still off); the app with METRICS_ENABLED=false; the bare
 * Hono Worker (bench/bare-worker.ts); or the floor, the bare Worker answering `/health` and the ping as
 * the tests require the app to, with no middleware (bench/floor-worker.ts).
 */
export type WorkerName = "app" | "app, metrics off" | "app, Redis cache" | "ping, no limiter" | "ping, Durable Object limiter" | "ping, Upstash limiter" | "bare" | "floor";

/** The Workers of bench/'s own, built without the app: no bindings, no database or Redis round trips to count. */
export const BENCH_OWN_WORKERS: ReadonlySet<WorkerName> = new Set(["bare", "floor"]);

/** The Workers built from bench/ping-app.ts, and how each sets its api rate limit. */
export const PING_WORKERS: Partial<Record<WorkerName, { api: "off" | "on"; upstash: boolean }>> = {
  "ping, no limiter": { api: "off", upstash: false },
  "ping, Durable Object limiter": { api: "on", upstash: false },
  "ping, Upstash limiter": { api: "on", upstash: true },
};

/** The policy of every limit the bench sets, a million a second: one client never reaches it. */
export const BENCH_RATE_POLICY = { algorithm: "sliding-window", limit: 1_000_000, windowMs: 1000 } as const;

/**
 * RATE_LIMITS for the bench: limits its one client never reaches, so every request pays for its
 * count and none is refused. All requests come without CF-Connecting-IP, so they count against one
 * key (one Durable Object, one Upstash key), as one busy client's would. The `workspace` limit
 * follows `api`: the domain scenarios measure the domain, not the limit the ping scenarios measure.
 */
export function benchRateLimits(keyPrefix: string, api: "off" | "on"): string {
  const unreachable = { policy: BENCH_RATE_POLICY };
  const perRequest = api === "off" ? "off" : unreachable;
  return JSON.stringify({ keyPrefix, auth: unreachable, api: perRequest, workspace: perRequest });
}

/**
 * The app's vars, as workerd text bindings; the database's, the signing keys and RATE_LIMITS come at
 * start-up. /health answers before configuration; the OpenAPI document, the 404 and the ping pass
 * the whole middleware stack (configuration included) but open no database client, since services
 * are built on first use.
 */
export const APP_BINDINGS: Record<string, string> = {
  APP_ENV: "development",
  LOG_LEVEL: "info",
  CORS_ORIGINS: "",
  AUTH_ISSUER: "http://127.0.0.1",
  APP_URL: "http://localhost:3000",
  // Required by the configuration; no bench scenario hands out attachment URLs.
  ATTACHMENT_URL_SECRET: "bench-only-attachment-url-secret-0000000",
  WEBHOOK_SECRETS_KEY: "bench-only-webhook-secrets-key-000000000",
};

/** An account the run registers and signs in once before the identity scenarios. */
export interface BenchSession {
  email: string;
  password: string;
  accessToken: string;
  /** The workspace seeded for the domain scenarios (the account owns it), when one of them runs. */
  workspace?: BenchWorkspace;
}

/** A seeded workspace (dev/seed.ts): its id, and tasks to read and update. */
export interface BenchWorkspace {
  id: string;
  /** A task in the middle of the list, never deleted by the bench. */
  taskId: string;
  /** 100 tasks for the bulk scenario. */
  bulkTaskIds: string[];
}

export interface Scenario {
  /** Unique; shown in the table. */
  name: string;
  worker: WorkerName;
  method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";
  /** Path and query, e.g. "/v1/items?limit=10". */
  path: string;
  headers?: Record<string, string>;
  /** Sent as is; set content-type in `headers`. */
  body?: string;
  /** The status every response must have; others are counted as unexpected. */
  expectedStatus: number;
  /** Another scenario's name: the run prints this one's requests/s and p50 relative to it. */
  compareTo?: string;
  /** Path, headers and body that need the run's signed-in account. */
  withSession?: (session: BenchSession) => Partial<Pick<Scenario, "path" | "headers" | "body">>;
  /** The scenario needs the seeded workspace in `session.workspace`. */
  needsWorkspace?: boolean;
  /** Concurrent connections, where the run's BENCH_CONNECTIONS would measure lock waits instead. */
  connections?: number;
}

export const scenarios: Scenario[] = [
  // The same with metrics and tracing off: the ratio is what counting a request (and its flushes)
  // costs /health; tracing costs it nothing, since liveness answers before it.
  { name: "GET /health (app, metrics off)", worker: "app, metrics off", method: "GET", path: "/health", expectedStatus: 200, compareTo: "GET /health (app)" },
  { name: "GET /health (app)", worker: "app", method: "GET", path: "/health", expectedStatus: 200, compareTo: "GET /health (bare)" },
  // The baseline of the hot path's ratios, next to what they compare: a round measures the
  // scenarios in turn (every other round in reverse), so neighbours are measured seconds apart.
  { name: "GET /health (bare)", worker: "bare", method: "GET", path: "/health", expectedStatus: 200 },
  // What the tests require of these answers, made in one handler: how near the app can come to bare.
  { name: "GET /health (floor)", worker: "floor", method: "GET", path: "/health", expectedStatus: 200, compareTo: "GET /health (bare)" },
  { name: "GET /v1/bench/ping (floor)", worker: "floor", method: "GET", path: "/v1/bench/ping", expectedStatus: 200, compareTo: "GET /health (bare)" },
  // The same anonymous GET with the api rate limit off, counting on a Durable Object, counting on Upstash.
  { name: "GET /v1/bench/ping (no limiter)", worker: "ping, no limiter", method: "GET", path: "/v1/bench/ping", expectedStatus: 200, compareTo: "GET /health (bare)" },
  {
    name: "GET /v1/bench/ping (Durable Object limiter)",
    worker: "ping, Durable Object limiter",
    method: "GET",
    path: "/v1/bench/ping",
    expectedStatus: 200,
    compareTo: "GET /health (bare)",
  },
  { name: "GET /v1/bench/ping (Upstash limiter)", worker: "ping, Upstash limiter", method: "GET", path: "/v1/bench/ping", expectedStatus: 200, compareTo: "GET /health (bare)" },
  // Through every global middleware, the router and the OpenAPI generator.
  { name: "GET /v1/openapi.json (app)", worker: "app", method: "GET", path: "/v1/openapi.json", expectedStatus: 200, compareTo: "GET /health (bare)" },
  // Through every global middleware to the not-found handler's problem+json.
  { name: "GET /v1/nope (app, 404)", worker: "app", method: "GET", path: "/v1/nope", expectedStatus: 404, compareTo: "GET /health (bare)" },
  // Argon2id (m=19456, t=2) per request behind the login throttle's two counter peeks; 2 database round trips.
  {
    name: "POST /v1/auth/login (app)",
    worker: "app",
    method: "POST",
    path: "/v1/auth/login",
    expectedStatus: 200,
    compareTo: "GET /health (app)",
    withSession: ({ email, password }) => ({ headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) }),
  },
  // JWT verified in the isolate, the session check cached; 1 database round trip for the profile.
  {
    name: "GET /v1/me (app)",
    worker: "app",
    method: "GET",
    path: "/v1/me",
    expectedStatus: 200,
    compareTo: "GET /health (app)",
    withSession: ({ accessToken }) => ({ headers: { authorization: `Bearer ${accessToken}` } }),
  },
  // The same with Upstash configured: the profile from the cache's Redis tier, 0 database round trips
  // (one every SESSION_CHECK_TTL_SECONDS, when the session is checked again), 1 Redis round trip.
  {
    name: "GET /v1/me (app, Redis cache)",
    worker: "app, Redis cache",
    method: "GET",
    path: "/v1/me",
    expectedStatus: 200,
    compareTo: "GET /v1/me (app)",
    withSession: ({ accessToken }) => ({ headers: { authorization: `Bearer ${accessToken}` } }),
  },
  // The domain, in a seeded workspace of 5,000 tasks the bench account owns (dev/seed.ts). One task by
  // id: without Upstash (cold: the membership check and the task, 2 database round trips), and from the
  // cache's Redis tier (the membership check, then 1 Redis read).
  {
    name: "GET /v1/workspaces/:id/tasks/:taskId (app)",
    worker: "app",
    method: "GET",
    path: "/",
    expectedStatus: 200,
    compareTo: "GET /v1/me (app)",
    needsWorkspace: true,
    withSession: ({ accessToken, workspace }) => ({ path: `/v1/workspaces/${workspace!.id}/tasks/${workspace!.taskId}`, headers: { authorization: `Bearer ${accessToken}` } }),
  },
  {
    name: "GET /v1/workspaces/:id/tasks/:taskId (app, Redis cache)",
    worker: "app, Redis cache",
    method: "GET",
    path: "/",
    expectedStatus: 200,
    compareTo: "GET /v1/workspaces/:id/tasks/:taskId (app)",
    needsWorkspace: true,
    withSession: ({ accessToken, workspace }) => ({ path: `/v1/workspaces/${workspace!.id}/tasks/${workspace!.taskId}`, headers: { authorization: `Bearer ${accessToken}` } }),
  },
  // A filtered, sorted first page: open tasks labelled bug, by due date.
  {
    name: "GET /v1/workspaces/:id/tasks?status&label&sort (app)",
    worker: "app",
    method: "GET",
    path: "/",
    expectedStatus: 200,
    compareTo: "GET /v1/workspaces/:id/tasks/:taskId (app)",
    needsWorkspace: true,
    withSession: ({ accessToken, workspace }) => ({
      path: `/v1/workspaces/${workspace!.id}/tasks?status=todo,in_progress&label=bug&sort=due&limit=50`,
      headers: { authorization: `Bearer ${accessToken}` },
    }),
  },
  // Full-text search over titles, descriptions and comments, ranked.
  {
    name: "GET /v1/workspaces/:id/tasks?q (app)",
    worker: "app",
    method: "GET",
    path: "/",
    expectedStatus: 200,
    compareTo: "GET /v1/workspaces/:id/tasks/:taskId (app)",
    needsWorkspace: true,
    withSession: ({ accessToken, workspace }) => ({ path: `/v1/workspaces/${workspace!.id}/tasks?q=${encodeURIComponent("login page")}&limit=50`, headers: { authorization: `Bearer ${accessToken}` } }),
  },
  // 100 updates, all or none, in one batch: each request changes the same 100 tasks again, so one
  // connection: concurrent ones would queue on the rows' locks and measure that.
  {
    name: "POST /v1/workspaces/:id/tasks/bulk, 100 updates (app)",
    worker: "app",
    method: "POST",
    path: "/",
    expectedStatus: 200,
    connections: 1,
    compareTo: "GET /v1/workspaces/:id/tasks/:taskId (app)",
    needsWorkspace: true,
    withSession: ({ accessToken, workspace }) => ({
      path: `/v1/workspaces/${workspace!.id}/tasks/bulk`,
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ items: workspace!.bulkTaskIds.map((id, index) => ({ op: "update", id, priority: ["low", "medium", "high"][index % 3] })) }),
    }),
  },
];
