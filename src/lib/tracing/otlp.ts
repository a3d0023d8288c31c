import type { FinishedSpan } from "./tracer";

/**
 * OTLP/HTTP JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding), what Jaeger,
 * Grafana Tempo and the OpenTelemetry Collector accept at `/v1/traces`: ids in hex, times in unix
 * nanoseconds as strings, enums as numbers.
 */
export interface OtlpAttribute {
  key: string;
  value: { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };
}

/** Who sends the spans: OTLP's resource. */
export interface OtlpResource {
  serviceName: string;
  /** `deployment.environment.name`: APP_ENV. */
  environment: string;
  /** `service.version`: the deployed version's id when the binding is there. */
  version?: string;
}

/** SpanKind in opentelemetry-proto's trace.proto. */
const SPAN_KIND = { server: 2, client: 3, consumer: 5 } as const;
/** Status.StatusCode: unset, or error. */
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;

export const INSTRUMENTATION_SCOPE = "edge-backend";

/** The spans as one OTLP ExportTraceServiceRequest. */
export function toOtlpRequest(spans: readonly FinishedSpan[], resource: OtlpResource) {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: attributes({
            "service.name": resource.serviceName,
            "deployment.environment.name": resource.environment,
            ...(resource.version ? { "service.version": resource.version } : {}),
          }),
        },
        scopeSpans: [{ scope: { name: INSTRUMENTATION_SCOPE }, spans: spans.map(toOtlpSpan) }],
      },
    ],
  };
}

function toOtlpSpan(span: FinishedSpan) {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: SPAN_KIND[span.kind],
    startTimeUnixNano: unixNanos(span.startMs),
    endTimeUnixNano: unixNanos(span.endMs),
    attributes: attributes(span.attributes),
    status: { code: span.error ? STATUS_ERROR : STATUS_UNSET },
  };
}

/** Milliseconds as a decimal string of nanoseconds: past 2^53, so never a JSON number. */
function unixNanos(ms: number): string {
  return `${Math.trunc(ms)}000000`;
}

function attributes(values: Record<string, string | number | boolean>): OtlpAttribute[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: attributeValue(value) }));
}

function attributeValue(value: string | number | boolean): OtlpAttribute["value"] {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}
