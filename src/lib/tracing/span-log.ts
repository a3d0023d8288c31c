import type { FinishedSpan } from "./tracer";

/**
 * One span as one JSON log line (`msg: "span"`), which Workers Logs can query by trace id without a
 * collector: ids, name, kind, duration, outcome and the span's value-free attributes.
 */
export function spanLine(span: FinishedSpan, requestId?: string): string {
  return JSON.stringify({
    level: "info",
    msg: "span",
    ...(requestId ? { requestId } : {}),
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: span.kind,
    durationMs: span.endMs - span.startMs,
    error: span.error,
    attributes: span.attributes,
  });
}
