import type { Logger } from "../logger";
import { toOtlpRequest, type OtlpResource } from "./otlp";
import type { FinishedSpan } from "./tracer";

/** How long a collector gets to take one batch; the export runs after the response, never before it. */
export const OTLP_EXPORT_TIMEOUT_MS = 5000;

export interface OtlpTarget {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  /** OTEL_EXPORTER_OTLP_HEADERS, parsed: e.g. the collector's `Authorization`. Never logged. */
  headers: Record<string, string>;
  resource: OtlpResource;
}

/** The traces URL for a base endpoint, as the OpenTelemetry exporter spec builds it. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/traces`;
}

/**
 * The only module that talks to an OTLP collector: posts one request's spans as OTLP/HTTP JSON,
 * bounded by `timeoutMs`. Never rejects: a collector that is down costs a warn line, not the request.
 */
export async function exportSpans(target: OtlpTarget, spans: readonly FinishedSpan[], log: Logger, timeoutMs = OTLP_EXPORT_TIMEOUT_MS): Promise<void> {
  try {
    const response = await fetch(tracesUrl(target.endpoint), {
      method: "POST",
      headers: { ...target.headers, "Content-Type": "application/json" },
      body: JSON.stringify(toOtlpRequest(spans, target.resource)),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // A partial-success answer names rejected spans; nothing here would act on it.
    await response.body?.cancel();
    if (!response.ok) log.warn("trace export failed", { status: response.status, spans: spans.length });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    log.warn("trace export failed", { reason: timedOut ? "timeout" : "unreachable", spans: spans.length });
  }
}
