// The HTTP scenarios `npm run bench` drives, in order. To add one, append an entry: every scenario
// runs with the same warm-up, duration and connections (see bench/load.ts).

/** Which Worker answers: this app's bundle (dist/index.js) or the bare Hono Worker (bench/bare-worker.ts). */
export type WorkerName = "app" | "bare";

/**
 * The app's vars and secrets, as workerd text bindings. No scenario touches the database: /health
 * answers before configuration, and the OpenAPI document and the 404 pass the whole middleware
 * stack (configuration included) but open no client, since services are built on first use.
 */
export const APP_BINDINGS: Record<string, string> = {
  APP_ENV: "development",
  LOG_LEVEL: "info",
  CORS_ORIGINS: "",
  AUTH_ISSUER: "http://127.0.0.1",
  APP_URL: "http://localhost:3000",
};

/** An account the run registers and signs in once before the identity scenarios. */
export interface BenchSession {
  email: string;
  password: string;
  accessToken: string;
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
  /** Headers and body that need the run's signed-in account. */
  withSession?: (session: BenchSession) => Pick<Scenario, "headers" | "body">;
}

export const scenarios: Scenario[] = [
  { name: "GET /health (app)", worker: "app", method: "GET", path: "/health", expectedStatus: 200, compareTo: "GET /health (bare)" },
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
  { name: "GET /health (bare)", worker: "bare", method: "GET", path: "/health", expectedStatus: 200 },
];
