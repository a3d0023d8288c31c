import { formatTraceparent, newSpanId, type TraceContext } from "../trace-context";

export type SpanKind = "server" | "client" | "consumer";
export type SpanAttributes = Record<string, string | number | boolean>;

/** A span once it has ended: what is logged and exported. */
export interface FinishedSpan {
  traceId: string;
  spanId: string;
  /** The caller's span for the request span; the request span for every call it makes. */
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  /** Milliseconds since the Unix epoch; in Workers the clock moves only across I/O. */
  startMs: number;
  endMs: number;
  /** Never a secret or personal value: names, templates, sizes and status codes only. */
  attributes: SpanAttributes;
  error: boolean;
}

/** One outbound call being recorded. */
export interface Span {
  /** The `traceparent` naming this span, for a protocol that carries it; undefined when tracing is off. */
  readonly traceparent: string | undefined;
  setAttribute(key: string, value: string | number | boolean): void;
  /** Ends the span once; later calls change nothing. */
  end(error?: boolean): void;
}

/** What a request's work uses to record its outbound calls. */
export interface Tracer {
  /**
   * Starts a client span, a child of the request's span.
   * @example const span = tracer.startCall("redis GET", { "db.system.name": "redis" }); try { … } finally { span.end() }
   */
  startCall(name: string, attributes?: SpanAttributes): Span;
}

/** Calls recorded per request at most: a request that loops over calls must not grow without bound. */
export const MAX_CALL_SPANS = 128;

const NO_SPAN: Span = { traceparent: undefined, setAttribute() {}, end() {} };

/** Tracing off: no span object is built, nothing is recorded. */
export const NO_TRACER: Tracer = { startCall: () => NO_SPAN };

/**
 * The spans of one request: its server span (the request's own span id from trace context) and one
 * client span per outbound call. Lives as long as the request.
 */
export class RequestTracer implements Tracer {
  readonly #trace: TraceContext;
  readonly #startMs: number;
  readonly #finished: FinishedSpan[] = [];

  constructor(trace: TraceContext, startMs = Date.now()) {
    this.#trace = trace;
    this.#startMs = startMs;
  }

  startCall(name: string, attributes: SpanAttributes = {}): Span {
    return new CallSpan(this.#trace, name, attributes, this.#finished);
  }

  /** Calls that have ended so far. */
  get callCount(): number {
    return this.#finished.length;
  }

  /**
   * Ends the request's span (a queue batch's is a consumer span); returns it first, then the calls
   * that ended, in the order they ended. Calls still running (work left to `waitUntil`) are not in it.
   */
  finish(name: string, attributes: SpanAttributes, error: boolean, kind: "server" | "consumer" = "server"): FinishedSpan[] {
    const trace = this.#trace;
    const server: FinishedSpan = {
      traceId: trace.traceId,
      spanId: trace.spanId,
      ...(trace.parentSpanId ? { parentSpanId: trace.parentSpanId } : {}),
      name,
      kind,
      startMs: this.#startMs,
      endMs: Date.now(),
      attributes,
      error,
    };
    return [server, ...this.#finished];
  }
}

class CallSpan implements Span {
  readonly traceparent: string;
  readonly #record: FinishedSpan;
  readonly #finished: FinishedSpan[];
  #ended = false;

  constructor(trace: TraceContext, name: string, attributes: SpanAttributes, finished: FinishedSpan[]) {
    const spanId = newSpanId();
    this.traceparent = formatTraceparent({ traceId: trace.traceId, spanId, flags: trace.flags });
    this.#record = { traceId: trace.traceId, spanId, parentSpanId: trace.spanId, name, kind: "client", startMs: Date.now(), endMs: 0, attributes: { ...attributes }, error: false };
    this.#finished = finished;
  }

  setAttribute(key: string, value: string | number | boolean): void {
    this.#record.attributes[key] = value;
  }

  end(error = false): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#record.endMs = Date.now();
    this.#record.error = error;
    if (this.#finished.length < MAX_CALL_SPANS) this.#finished.push(this.#record);
  }
}
