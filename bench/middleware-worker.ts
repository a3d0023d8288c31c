// The Worker behind `npm run bench:middleware`: the app rebuilt from its own route table with some
// global middleware left out, so each one's cost shows as the difference between two variants. The
// variant comes from the BENCH_VARIANT binding, read on the first request:
//   "bare"                      a Hono Worker answering GET /health only (the `npm run bench` baseline)
//   "floor"                     the same Worker answering /health and the ping as the app must: request
//                               id, trace, log line, response headers and, on the ping, the api limit's
//                               leased units, rate-limit fields and ETag, made in the handler, no middleware
//   "app"                       createApp() itself
//   "without:<name>,<name>…"    the app's routes in order, minus the global middleware of those names
//   "hono-without:<name>…"      the same on a plain Hono instead of OpenAPIHono
// With BENCH_COUNTER=stub, RATE_COUNTER is an in-isolate stand-in that grants every lease at once:
// what the rate-limit middleware itself costs a request, without the Durable Object calls, whose
// share under callgrind depends on how many requests a lease's one second covers at its slowness.
import { Hono } from "hono";
import { createApp } from "../src/app";
import { floor } from "./middleware-floor";
import type { AppEnv } from "../src/lib/app-env";
import type { RateLease, RatePolicy } from "../src/lib/rate-policy";
import { createRouter } from "../src/lib/create-router";
import { notFound } from "../src/middleware/not-found";
import { onError } from "../src/middleware/on-error";

// Wrangler refuses a bundle that does not export the Durable Objects wrangler.toml binds.
export { MetricsAggregator } from "../src/durable-objects/metrics-aggregator";
export { NotificationHub } from "../src/durable-objects/notification-hub";
export { RateCounter } from "../src/durable-objects/rate-counter";

/** Where app.ts registers global middleware: everything, and the versioned API. */
const GLOBAL_PATHS = new Set(["/*", "/v1/*"]);

type Fetch = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

function build(variant: string): Fetch {
  if (variant === "bare") return new Hono().get("/health", (c) => c.json({ status: "ok" })).fetch;
  if (variant === "floor") return floor().fetch;
  const full = createApp();
  // The bench's cheapest /v1 answer (as bench/ping-app.ts): every middleware, a small JSON body, no I/O.
  full.get("/v1/bench/ping", (c) => c.json({ ok: true }));
  if (variant === "app") return full.fetch;
  const match = /^(hono-)?without:(.*)$/.exec(variant);
  if (!match) throw new Error(`unknown BENCH_VARIANT ${JSON.stringify(variant)}`);
  const excluded = new Set(match[2]!.split(",").filter(Boolean));
  const app = match[1] ? new Hono<AppEnv>() : createRouter();
  const leftOut = new Set<string>();
  for (const route of full.routes) {
    // `app.use(…)` registers global middleware as method ALL on /* (or /v1/*); route-level middleware stays.
    const name = sourceName(route.handler);
    if (route.method === "ALL" && GLOBAL_PATHS.has(route.path) && excluded.has(name)) {
      leftOut.add(name);
      continue;
    }
    app.on(route.method, route.path, route.handler);
  }
  const unknown = [...excluded].filter((name) => !leftOut.has(name));
  if (unknown.length > 0) throw new Error(`no global middleware named ${unknown.join(", ")}: the ladder would measure the wrong thing`);
  app.notFound(notFound({ router: app.router }));
  app.onError(onError());
  return app.fetch;
}

/** A function's name as written: the bundle renames one that clashes with another by adding a number (`cors3`). */
function sourceName(fn: { name: string }): string {
  return fn.name.replace(/\d+$/, "");
}

/** Grants whatever is asked, at once, as a counter far from its limit would. */
const STUB_COUNTER = {
  async lease(policy: RatePolicy, cost: number, upTo: number, now: number): Promise<RateLease> {
    const limit = policy.algorithm === "token-bucket" ? policy.capacity : policy.limit;
    return { allowed: true, granted: Math.max(cost, upTo), limit, remaining: limit - upTo, resetAt: now + 1000, retryAfterMs: 0, spendBy: null };
  },
};
const STUB_NAMESPACE = { idFromName: (name: string) => name, get: () => STUB_COUNTER } as unknown as Env["RATE_COUNTER"];

let fetch: Fetch | undefined;
/** The env every request sees: one object, so the configuration is parsed once as in the app. */
let benchEnv: { source: Env; env: Env } | undefined;

export default {
  fetch(request, env, ctx) {
    const settings = env as Env & { BENCH_VARIANT?: string; BENCH_COUNTER?: string };
    // Without the namespace every limited request would fail open: an error and a warning line
    // each, measured as if they were the counter's cost.
    if (!env.RATE_COUNTER && settings.BENCH_COUNTER !== "stub") throw new Error("RATE_COUNTER is not bound");
    fetch ??= build(settings.BENCH_VARIANT ?? "app");
    if (settings.BENCH_COUNTER !== "stub") return fetch(request, env, ctx);
    if (benchEnv?.source !== env) benchEnv = { source: env, env: { ...env, RATE_COUNTER: STUB_NAMESPACE } };
    return fetch(request, benchEnv.env, ctx);
  },
} satisfies ExportedHandler<Env>;
