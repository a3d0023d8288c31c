import { neonConfig } from "@neondatabase/serverless";
import type { DependencyGuard } from "../lib/dependency-guard";
import { DependencyUnavailableError } from "../lib/errors";
import { isNeonPointedAt, pointNeonAtLocalStack, type LocalNeonEndpoints } from "./local-neon";
import type { QueryObserver } from "./query-observer";

/** How one Database's HTTP queries and batches are sent. */
export interface NeonFetchSettings {
  /** Bound on each HTTP query or batch, response body included. */
  timeoutMs: number;
  /** Decides whether a call is made at all (the isolate's circuit breaker) and sees its outcome. */
  guard?: DependencyGuard;
  /** Sees each call the guard lets through: its span and the slow-query line (see query-observer.ts). */
  observer?: QueryObserver;
}

/**
 * The driver's fetch function is process-wide, but `neon(url, { fetchOptions })` hands its options to
 * every fetch of that query function: the settings travel there, under a key no real fetch reads.
 */
const SETTINGS = Symbol("neon fetch settings");

/** `fetchOptions` for `neon()` that give its queries `settings`. */
export function neonFetchOptions(settings: NeonFetchSettings): Record<PropertyKey, unknown> {
  return { [SETTINGS]: settings };
}

/**
 * Installs the fetch function that reads each Database's settings, and points the driver at the
 * local stack when its endpoints are given. The driver's configuration is process-wide and a
 * Worker's endpoints do not change within an isolate, so this writes once; it writes again only when
 * the settings are no longer these, as in tests, where the conformance suite points the driver at its
 * own stacks and one workerd runs file after file.
 */
export function configureNeon(endpoints: LocalNeonEndpoints): void {
  if (neonConfig.fetchFunction === neonFetch && isNeonPointedAt(endpoints)) return;
  neonConfig.fetchFunction = neonFetch;
  pointNeonAtLocalStack(endpoints);
}

type NeonFetchInit = RequestInit & { [SETTINGS]?: NeonFetchSettings };

/** The driver's fetch: each call bounded and guarded as its Database's settings say. */
async function neonFetch(input: RequestInfo | URL, init?: NeonFetchInit): Promise<Response> {
  const { [SETTINGS]: settings, ...rest } = init ?? {};
  if (!settings) return fetch(input, rest);
  const { observer, timeoutMs } = settings;
  const send = observer
    ? () => observer.observe(rest.body, (headers) => boundedFetch(input, headers ? withHeaders(rest, headers) : rest, timeoutMs))
    : () => boundedFetch(input, rest, timeoutMs);
  return settings.guard ? settings.guard.run(send) : send();
}

/** `init` with `headers` added to the driver's own (a plain object, or anything Headers takes). */
function withHeaders(init: RequestInit, headers: Record<string, string>): RequestInit {
  const merged = new Headers(init.headers);
  for (const [name, value] of Object.entries(headers)) merged.set(name, value);
  return { ...init, headers: merged };
}

/**
 * `fetch` bounded by `timeoutMs` from the request until the body is read; the body is read here, so
 * the outcome the guard sees is the whole call's. A timeout, a network failure or a 5xx from the
 * endpoint throws DependencyUnavailableError; a SQL error (HTTP 400) is an answer like any other.
 */
async function boundedFetch(input: RequestInfo | URL, init: RequestInit, timeoutMs: number): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DependencyUnavailableError("database", "timeout")), timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
  try {
    const response = await fetch(input, { ...init, signal });
    if (response.status >= 500) {
      await response.body?.cancel();
      throw new DependencyUnavailableError("database", "unreachable", { cause: new Error(`HTTP ${response.status}`) });
    }
    const body = await response.arrayBuffer();
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  } catch (error) {
    if (error instanceof DependencyUnavailableError) throw error;
    if (init.signal?.aborted) throw error;
    if (controller.signal.aborted) throw controller.signal.reason;
    throw new DependencyUnavailableError("database", "unreachable", { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
