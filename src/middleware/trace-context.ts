import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { formatTraceparent, startTrace } from "../lib/trace-context";

export interface TraceContextOptions {
  /** Whether to continue the caller's trace; off for callers whose trace ids should not be trusted. */
  acceptIncoming?: boolean;
}

/**
 * Continues the caller's W3C trace (or starts one) with a new span for this request, exposes it as
 * `c.var.trace` / `c.var.traceId` and answers with a `traceparent` naming our span.
 */
export function traceContext({ acceptIncoming = true }: TraceContextOptions = {}): MiddlewareHandler<AppEnv> {
  return async function traceContext(c, next) {
    const trace = acceptIncoming ? startTrace(c.req.header("traceparent"), c.req.header("tracestate")) : startTrace(undefined);
    c.set("trace", trace);
    c.set("traceId", trace.traceId);
    const traceparent = formatTraceparent(trace);
    c.header("traceparent", traceparent);
    await next();
    c.res.headers.set("traceparent", traceparent);
  };
}
