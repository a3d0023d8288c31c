import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { loggedPath } from "../lib/log-redaction";
import { endpointRoute } from "../lib/matched-route";
import { emitSpans } from "../lib/tracing/emit";
import { RequestTracer } from "../lib/tracing/tracer";
import { requestLog } from "./logger";

export interface TracingOptions {
  /** Where a span's line goes; console.log by default, which Workers Logs parse as JSON. */
  write?: (line: string) => void;
}

/**
 * With TRACING on, records this request's span (a server span with the request's span id from
 * trace context) and, through `c.var.tracer`, a client span per outbound call; once the response is
 * known, writes one line per outbound call's span (the request's own is its request log line, which
 * carries its span ids) and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, exports them all after the
 * response (`waitUntil`). With TRACING off it builds nothing.
 */
export function tracing({ write = (line) => console.log(line) }: TracingOptions = {}): MiddlewareHandler<AppEnv> {
  return async function tracing(c, next) {
    const config = c.get("config");
    if (config.TRACING === "off") return next();
    const tracer = new RequestTracer(c.get("trace"));
    c.set("tracer", tracer);
    await next();
    const route = endpointRoute(c)?.path;
    const status = c.res.status;
    const spans = tracer.finish(
      `${c.req.method} ${route ?? "unmatched"}`,
      {
        "http.request.method": c.req.method,
        ...(route ? { "http.route": route } : {}),
        "url.path": loggedPath(c.req.path, route),
        "http.response.status_code": status,
      },
      status >= 500,
    );
    emitSpans(spans, {
      config,
      requestId: c.get("requestId"),
      version: c.env.CF_VERSION_METADATA?.id,
      write,
      keepAlive: (work) => c.executionCtx.waitUntil(work),
      log: () => requestLog(c),
      firstLoggedAsRequest: true,
    });
  };
}
