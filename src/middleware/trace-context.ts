import { formatTraceparent, startTrace } from "../lib/trace-context";
import type { AroundHook } from "./around";

export interface TraceContextOptions {
  /** Whether to continue the caller's trace; off for callers whose trace ids should not be trusted. */
  acceptIncoming?: boolean;
}

/**
 * Continues the caller's W3C trace (or starts one) with a new span for this request, exposes it as
 * `c.var.trace` / `c.var.traceId` and answers with a `traceparent` naming our span.
 */
export function traceContext({ acceptIncoming = true }: TraceContextOptions = {}): AroundHook {
  return {
    open(c) {
      const traceparent = acceptIncoming ? c.req.header("traceparent") : undefined;
      // tracestate means nothing without a traceparent, so most requests need not read it.
      const trace = startTrace(traceparent, traceparent === undefined ? undefined : c.req.header("tracestate"));
      c.set("trace", trace);
      c.set("traceId", trace.traceId);
    },
    // Once, on whatever answered: a handler's response, a problem or a 404 (see request-id.ts).
    close(c) {
      c.res.headers.set("traceparent", formatTraceparent(c.get("trace")));
    },
  };
}
