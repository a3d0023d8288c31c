// The Worker behind `npm run bench:middleware`: the app rebuilt from its own route table with some
// global middleware left out, so each one's cost shows as the difference between two variants. The
// variant comes from the BENCH_VARIANT binding, read on the first request:
//   "bare"                      a Hono Worker answering GET /health only (the `npm run bench` baseline)
//   "app"                       createApp() itself
//   "without:<name>,<name>…"    the app's routes in order, minus the global middleware of those names
//   "hono-without:<name>…"      the same on a plain Hono instead of OpenAPIHono
import { Hono } from "hono";
import { createApp } from "../src/app";
import type { AppEnv } from "../src/lib/app-env";
import { createRouter } from "../src/lib/create-router";
import { notFound } from "../src/middleware/not-found";
import { onError } from "../src/middleware/on-error";

// Wrangler refuses a bundle that does not export the Durable Objects wrangler.toml binds.
export { MetricsAggregator } from "../src/durable-objects/metrics-aggregator";
export { RateCounter } from "../src/durable-objects/rate-counter";

/** Where app.ts registers global middleware: everything, and the versioned API. */
const GLOBAL_PATHS = new Set(["/*", "/v1/*"]);

type Fetch = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

function build(variant: string): Fetch {
  if (variant === "bare") return new Hono().get("/health", (c) => c.json({ status: "ok" })).fetch;
  const full = createApp();
  // The bench's cheapest /v1 answer (as bench/ping-app.ts): every middleware, a small JSON body, no I/O.
  full.get("/v1/bench/ping", (c) => c.json({ ok: true }));
  if (variant === "app") return full.fetch;
  const match = /^(hono-)?without:(.*)$/.exec(variant);
  if (!match) throw new Error(`unknown BENCH_VARIANT ${JSON.stringify(variant)}`);
  const excluded = new Set(match[2]!.split(",").filter(Boolean));
  const app = match[1] ? new Hono<AppEnv>() : createRouter();
  for (const route of full.routes) {
    // `app.use(…)` registers global middleware as method ALL on /* (or /v1/*); route-level middleware stays.
    if (route.method === "ALL" && GLOBAL_PATHS.has(route.path) && excluded.has(route.handler.name)) continue;
    app.on(route.method, route.path, route.handler);
  }
  app.notFound(notFound({ router: app.router }));
  app.onError(onError());
  return app.fetch;
}

let fetch: Fetch | undefined;

export default {
  fetch(request, env, ctx) {
    fetch ??= build((env as Env & { BENCH_VARIANT?: string }).BENCH_VARIANT ?? "app");
    return fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
