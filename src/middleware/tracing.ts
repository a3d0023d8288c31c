import { loggedPath } from "../lib/log-redaction";
import { endpointRoute } from "../lib/matched-route";
import { emitSpans } from "../lib/tracing/emit";
import { RequestTracer } from "../lib/tracing/tracer";
import type { AroundHook } from "./around";
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
export function tracing({ write = (line) => console.log(line) }: TracingOptions = {}): AroundHook {
  return {
    open(c) {
      if (c.get("config").TRACING !== "off") c.set("tracer", new RequestTracer(c.get("trace")));
    },
    close(c) {
      const tracer = c.get("tracer");
      if (!tracer) return;
      const config = c.get("config");
      // The request's own span is its log line; built only when an exporter or a call's line needs it.
      if (!config.OTEL_EXPORTER_OTLP_ENDPOINT && tracer.callCount === 0) return;
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
    },
  };
}
