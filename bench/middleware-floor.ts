// The floor of `npm run bench` and `npm run bench:middleware`: what the tests require of the app's
// `/health` and of the bench's ping, made in one handler of a bare Hono Worker with no middleware.
// test/bench/middleware-floor.test.ts holds it to the app's answers, so it cannot drift to something
// cheaper than what the app must do.
import { Hono } from "hono";
import { entityTagOf, ifNoneMatchMatches } from "../src/lib/http/entity-tags";
import { rateLimitHeaders } from "../src/lib/rate-limit-headers";
import { formatTraceparent, startTrace, type TraceContext } from "../src/lib/trace-context";
import { SECURE_HEADERS } from "../src/middleware/secure-headers";
import { WELL_FORMED_REQUEST_ID } from "../src/middleware/request-id";
import { BENCH_RATE_POLICY } from "./scenarios";

/**
 * What the app cannot do without on `/health` and on the ping, by the tests: a request id, a trace
 * continued or started, one JSON log line, the OWASP headers with `Cache-Control`, and on the ping
 * the api limit (units leased to the isolate, spent one a request, and its two fields), `Vary:
 * Origin` and a hashed `ETag`; all in one handler and one response, on the bare Worker. The app's cost
 * above this is what its middleware design adds.
 */
export function floor() {
  const policy = BENCH_RATE_POLICY;
  const lease = { units: 0, expiresAt: 0 };
  const encoder = new TextEncoder();
  return new Hono()
    .get("/health", (c) => {
      const { requestId, trace } = identify(c.req.raw);
      // Timed as the app's envelope times a request: a clock read before and one after.
      const started = Date.now();
      logRequest(c.req.method, "/health", 200, Date.now() - started, requestId, trace);
      return c.json({ status: "ok" }, 200, envelopeHeaders(requestId, trace));
    })
    .get("/v1/bench/ping", async (c) => {
      const { requestId, trace } = identify(c.req.raw);
      const started = Date.now();
      if (lease.units === 0 || started >= lease.expiresAt) Object.assign(lease, { units: 1024, expiresAt: started + 1000 });
      lease.units -= 1;
      const decision = { allowed: true, limit: policy.limit, remaining: lease.units, resetAt: lease.expiresAt, retryAfterMs: 0 };
      const limited = rateLimitHeaders("api", policy, decision, started);
      const bytes = encoder.encode(JSON.stringify({ ok: true }));
      const etag = await entityTagOf(bytes);
      const unchanged = ifNoneMatchMatches(c.req.header("If-None-Match"), etag);
      logRequest(c.req.method, "/v1/bench/ping", unchanged ? 304 : 200, Date.now() - started, requestId, trace);
      const headers = { ...envelopeHeaders(requestId, trace), ETag: etag, Vary: "Origin", ...limited };
      if (unchanged) return new Response(null, { status: 304, headers });
      return new Response(bytes, { status: 200, headers: { ...headers, "Content-Type": "application/json", "Content-Length": String(bytes.byteLength) } });
    });
}

function identify(request: Request): { requestId: string; trace: TraceContext } {
  const incoming = request.headers.get("X-Request-Id");
  const requestId = incoming !== null && WELL_FORMED_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  return { requestId, trace: startTrace(request.headers.get("traceparent")) };
}

function logRequest(method: string, route: string, status: number, durationMs: number, requestId: string, trace: TraceContext): void {
  console.log(JSON.stringify({ level: "info", msg: "request", method, route, path: route, status, durationMs, requestId, traceId: trace.traceId, spanId: trace.spanId }));
}

/** The headers every answer carries whoever asks, made once. */
const FIXED_HEADERS: Record<string, string> = { ...Object.fromEntries(SECURE_HEADERS), "Cache-Control": "no-store" };

function envelopeHeaders(requestId: string, trace: TraceContext): Record<string, string> {
  return { ...FIXED_HEADERS, "X-Request-Id": requestId, traceparent: formatTraceparent(trace) };
}
