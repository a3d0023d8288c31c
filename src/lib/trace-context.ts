/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): parsing the incoming `traceparent`,
 * making ids for this request's span and building the headers for outgoing calls.
 */
export interface TraceContext {
  /** 32 lowercase hex characters, kept from the caller when its `traceparent` is valid. */
  traceId: string;
  /** 16 lowercase hex characters identifying this request's span; new for every request. */
  spanId: string;
  /** The caller's span id, when the request carried a valid `traceparent`. */
  parentSpanId?: string;
  /** Trace flags as 2 hex characters; bit 0 is "sampled". */
  flags: string;
  /** The caller's `tracestate`, forwarded untouched alongside a valid `traceparent`. */
  traceState?: string;
}

export interface ParsedTraceparent {
  version: string;
  traceId: string;
  parentId: string;
  flags: string;
}

const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
// Later versions may append fields; the first four keep their meaning (spec §4.3 "Versioning").
const LATER_VERSION = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZEROS = /^0+$/;

/** Parses a `traceparent` header; undefined when it is missing or invalid per the spec. */
export function parseTraceparent(header: string | undefined | null): ParsedTraceparent | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  let parsed: ParsedTraceparent | undefined;
  const v00 = VERSION_00.exec(value);
  if (v00) {
    parsed = { version: "00", traceId: v00[1]!, parentId: v00[2]!, flags: v00[3]! };
  } else {
    const later = LATER_VERSION.exec(value);
    if (later && later[1] !== "00" && later[1] !== "ff") {
      parsed = { version: later[1]!, traceId: later[2]!, parentId: later[3]!, flags: later[4]! };
    }
  }
  if (!parsed || ALL_ZEROS.test(parsed.traceId) || ALL_ZEROS.test(parsed.parentId)) return undefined;
  return parsed;
}

/** Continues the caller's trace when its `traceparent` is valid, otherwise starts a new sampled one. */
export function startTrace(traceparent: string | undefined | null, tracestate?: string | null): TraceContext {
  const parent = parseTraceparent(traceparent);
  if (!parent) return { traceId: randomHexId(16), spanId: randomHexId(8), flags: "01" };
  return {
    traceId: parent.traceId,
    spanId: randomHexId(8),
    parentSpanId: parent.parentId,
    // We only understand the sampled bit; unknown bits are not ours to propagate (spec §3.2.2.5).
    flags: (Number.parseInt(parent.flags, 16) & 0x01).toString(16).padStart(2, "0"),
    ...(tracestate ? { traceState: tracestate } : {}),
  };
}

/** The `traceparent` value naming `trace`'s span as the parent. */
export function formatTraceparent(trace: Pick<TraceContext, "traceId" | "spanId" | "flags">): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;
}

/**
 * Headers to send on an outgoing call so the callee continues this request's trace.
 * @example await fetch(url, { headers: { ...traceHeaders(c.var.trace), accept: "application/json" } })
 */
export function traceHeaders(trace: TraceContext): Record<string, string> {
  const headers: Record<string, string> = { traceparent: formatTraceparent(trace) };
  if (trace.traceState) headers.tracestate = trace.traceState;
  return headers;
}

/** Random lowercase hex id of `bytes` bytes, never all zeros (which the spec reserves as invalid). */
function randomHexId(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  do crypto.getRandomValues(buffer);
  while (buffer.every((byte) => byte === 0));
  return Array.from(buffer, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
