import type { DependencyGuard } from "../dependency-guard";
import type { RequestMeter } from "./request-meter";

/**
 * `inner` (the database's circuit breaker), with each call it lets through timed and counted on the
 * request's meter: a call the breaker refuses never reached the database and is not counted.
 */
export function meteredDatabaseGuard(inner: DependencyGuard, meter: () => RequestMeter | undefined): DependencyGuard {
  return {
    run: (call) =>
      inner.run(async () => {
        const started = Date.now();
        let ok = false;
        try {
          const result = await call();
          ok = true;
          return result;
        } finally {
          meter()?.databaseCall((Date.now() - started) / 1000, ok);
        }
      }),
  };
}
