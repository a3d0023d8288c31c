/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): parsing the incoming `traceparent`,
 * making ids for this request's span and building the headers for outgoing calls.
 */
import { hex } from "./hex";

export interface TraceContext {
  /** 32 lowercase hex characters, kept from the caller when its `traceparent` is valid. */
  traceId: string;
  /** 16 lowercase hex characters identifying this request's span; new for every request. */
  spanId: string;
  /** The caller's span id, when the request carried a valid `traceparent`. */
  parentSpanId?: string;
  /** Trace flags as 2 hex characters; bit 0 is "sampled". */
  flags: string;
  /** The caller's `tracestate`, validated and capped (see `parseTracestate`), alongside a valid `traceparent`. */
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

const TRACE_ID_BYTES = 16;
const SPAN_ID_BYTES = 8;

/** Continues the caller's trace when its `traceparent` is valid, otherwise starts a new sampled one. */
export function startTrace(traceparent: string | undefined | null, tracestate?: string | null): TraceContext {
  const parent = parseTraceparent(traceparent);
  if (!parent) {
    const ids = randomIds(TRACE_ID_BYTES, SPAN_ID_BYTES);
    return { traceId: ids[0]!, spanId: ids[1]!, flags: "01" };
  }
  return {
    traceId: parent.traceId,
    spanId: randomIds(SPAN_ID_BYTES)[0]!,
    parentSpanId: parent.parentId,
    // We only understand the sampled bit; unknown bits are not ours to propagate (spec §3.2.2.5).
    flags: (Number.parseInt(parent.flags, 16) & 0x01).toString(16).padStart(2, "0"),
    ...withTraceState(parseTracestate(tracestate)),
  };
}

function withTraceState(traceState: string | undefined): { traceState?: string } {
  return traceState ? { traceState } : {};
}

// W3C Trace Context §3.3: keys (simple or tenant@system) and values, at most 32 members.
const TRACESTATE_KEY = /^(?:[a-z][a-z0-9_*/-]{0,255}|[a-z0-9][a-z0-9_*/-]{0,240}@[a-z][a-z0-9_*/-]{0,13})$/;
const TRACESTATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_TRACESTATE_MEMBERS = 32;
/** What we pass on (§3.3.1.5: at least 512 characters must be propagated; more is optional). */
const MAX_TRACESTATE_LENGTH = 512;
/** Members longer than this go first when the whole is too long (§3.3.1.5). */
const LONG_MEMBER = 128;
/** Longer input is not parsed at all: 32 members of maximal key and value, plus separators. */
const MAX_TRACESTATE_INPUT = 32 * (256 + 1 + 256) + 31 * 2;

/**
 * Validates an incoming `tracestate` and caps it at 512 characters by the spec's rule (drop members
 * over 128 characters, then from the right). Any invalid member, a duplicate key or more than 32
 * members discard the whole header, as the spec allows; undefined when nothing is left.
 * @example parseTracestate("congo=t61rcWkgMzE, rojo=00f067aa0ba902b7") // "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"
 */
export function parseTracestate(header: string | undefined | null): string | undefined {
  if (!header || header.length > MAX_TRACESTATE_INPUT) return undefined;
  const members = header
    .split(",")
    .map((member) => member.trim())
    .filter(Boolean);
  if (members.length > MAX_TRACESTATE_MEMBERS) return undefined;
  const keys = new Set<string>();
  for (const member of members) {
    const separator = member.indexOf("=");
    const key = member.slice(0, separator);
    if (separator < 1 || !TRACESTATE_KEY.test(key) || !TRACESTATE_VALUE.test(member.slice(separator + 1)) || keys.has(key)) return undefined;
    keys.add(key);
  }
  let kept = members;
  if (kept.join(",").length > MAX_TRACESTATE_LENGTH) kept = kept.filter((member) => member.length <= LONG_MEMBER);
  while (kept.length > 0 && kept.join(",").length > MAX_TRACESTATE_LENGTH) kept = kept.slice(0, -1);
  return kept.length > 0 ? kept.join(",") : undefined;
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

/** A new span id (16 lowercase hex characters, never all zeros), for a span inside this request. */
export function newSpanId(): string {
  return randomIds(SPAN_ID_BYTES)[0]!;
}

/**
 * Random lowercase hex ids of the given sizes in bytes, from one fill of the random source (a call
 * into the runtime per request, not per id); none is all zeros, which the spec reserves as invalid.
 */
function randomIds(...sizes: number[]): string[] {
  const buffer = new Uint8Array(sizes.reduce((sum, size) => sum + size, 0));
  for (;;) {
    crypto.getRandomValues(buffer);
    const ids: string[] = [];
    let offset = 0;
    for (const size of sizes) {
      let zero = true;
      for (let index = offset; zero && index < offset + size; index++) zero = buffer[index] === 0;
      if (zero) break;
      ids.push(hex(buffer, offset, offset + size));
      offset += size;
    }
    if (ids.length === sizes.length) return ids;
  }
}
