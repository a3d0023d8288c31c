import { findDependencyFailure, type DependencyUnavailableError } from "./errors";

/** Runs calls to one dependency, possibly refusing them (a circuit breaker is one). */
export interface DependencyGuard {
  run<T>(call: () => Promise<T>): Promise<T>;
}

/**
 * A guard for one request: calls go through `inner` until one fails because of the dependency;
 * every later call of the request fails at once with that failure. A request that carries on after
 * a failed call (stale IP rules, say) then waits for the dependency's bound once, not once per call.
 */
export function oneFailurePerRequest(inner: DependencyGuard): DependencyGuard {
  let failure: DependencyUnavailableError | undefined;
  return {
    async run(call) {
      if (failure) throw failure;
      try {
        return await inner.run(call);
      } catch (error) {
        failure = findDependencyFailure(error);
        throw error;
      }
    },
  };
}
