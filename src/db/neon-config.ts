import { neonConfig } from "@neondatabase/serverless";
import { DependencyUnavailableError } from "../lib/errors";
import { pointNeonAtLocalStack, type LocalNeonEndpoints } from "./local-neon";

/** Production leaves the local stack's endpoints unset. */
export interface NeonSettings extends LocalNeonEndpoints {
  /** Bound on each HTTP query or batch, response body included. */
  timeoutMs: number;
}

let applied: NeonSettings | undefined;

/**
 * Applies `settings` to the Neon driver, whose configuration is process-wide. A Worker's settings do
 * not change within an isolate, so this writes once; only tests that switch stacks write again.
 */
export function configureNeon(settings: NeonSettings): void {
  if (applied && sameSettings(applied, settings)) return;
  applied = { ...settings };
  neonConfig.fetchFunction = boundedFetch(settings.timeoutMs);
  pointNeonAtLocalStack(settings);
}

function sameSettings(a: NeonSettings, b: NeonSettings): boolean {
  return a.httpEndpoint === b.httpEndpoint && a.wsProxy === b.wsProxy && a.timeoutMs === b.timeoutMs;
}

/**
 * `fetch` for the Neon driver, bounded by `timeoutMs` from the request until the body is read. The
 * abort reason is a DependencyUnavailableError, so a stalled response body fails the same way as a
 * stalled connection; a network failure or a 5xx from the endpoint means the database is unreachable.
 */
export function boundedFetch(timeoutMs: number): typeof fetch {
  return async function neonFetch(input, init) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DependencyUnavailableError("database", "timeout")), timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    let response: Response;
    try {
      response = await fetch(input, { ...init, signal });
    } catch (error) {
      clearTimeout(timer);
      if (error instanceof DependencyUnavailableError) throw error;
      if (init?.signal?.aborted) throw error;
      throw new DependencyUnavailableError("database", "unreachable", { cause: error });
    }
    if (response.status >= 500) {
      clearTimeout(timer);
      await response.body?.cancel();
      throw new DependencyUnavailableError("database", "unreachable", { cause: new Error(`HTTP ${response.status}`) });
    }
    // The timer stays armed while the driver reads the body; it is a no-op once the body is read.
    return response;
  };
}
