// The HTTP scenarios `npm run bench` drives, in order. To add one, append an entry: every scenario
// runs with the same warm-up, duration and connections (see bench/load.ts).

/** Which Worker answers: this app's bundle (dist/index.js) or the bare Hono Worker (bench/bare-worker.ts). */
export type WorkerName = "app" | "bare";

/** The app's vars and secrets, as workerd text bindings. GET /health touches no database. */
export const APP_BINDINGS: Record<string, string> = {
  APP_ENV: "development",
  LOG_LEVEL: "info",
  CORS_ORIGINS: "",
  DATABASE_URL: "postgres://bench@127.0.0.1:5432/bench",
};

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
}

export const scenarios: Scenario[] = [
  { name: "GET /health (app)", worker: "app", method: "GET", path: "/health", expectedStatus: 200, compareTo: "GET /health (bare)" },
  { name: "GET /health (bare)", worker: "bare", method: "GET", path: "/health", expectedStatus: 200 },
];
