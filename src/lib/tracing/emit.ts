import type { Config } from "../../env";
import { isLogged, type Logger } from "../logger";
import { exportSpans } from "./otlp-exporter";
import { spanLine } from "./span-log";
import type { FinishedSpan } from "./tracer";

/** `service.name` of every span this Worker exports. */
export const SERVICE_NAME = "edge-backend";

export interface SpanOutlet {
  config: Config;
  /** The request id each span line carries; a queue batch has none. */
  requestId?: string;
  /** The deployed version's id, when the binding is there. */
  version?: string;
  /** Where a span's line goes: console.log in the Worker, which Workers Logs parse as JSON. */
  write: (line: string) => void;
  /** Keeps the invocation alive for the export without anyone waiting for it (`ctx.waitUntil`). */
  keepAlive: (work: Promise<unknown>) => void;
  /** For the export's own failure, with the invocation's ids. */
  log: () => Logger;
  /**
   * The first span is a request's server span, whose line the request log writes (msg "request",
   * with its span ids): only the others get a span line. Exported either way.
   */
  firstLoggedAsRequest?: boolean;
}

/** Writes one line per span and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, exports them all in one request after the response. */
export function emitSpans(spans: readonly FinishedSpan[], { config, requestId, version, write, keepAlive, log, firstLoggedAsRequest = false }: SpanOutlet): void {
  if (isLogged("info", config.LOG_LEVEL)) for (let index = firstLoggedAsRequest ? 1 : 0; index < spans.length; index++) write(spanLine(spans[index]!, requestId));
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return;
  const resource = { serviceName: SERVICE_NAME, environment: config.APP_ENV, ...(version ? { version } : {}) };
  keepAlive(exportSpans({ endpoint, headers: config.OTEL_EXPORTER_OTLP_HEADERS ?? {}, resource }, spans, log()));
}
