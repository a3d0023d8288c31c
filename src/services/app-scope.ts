import type { Config } from "../env";
import type { Clock } from "../lib/clock";
import { TtlCache } from "../lib/ttl-cache";

/** What an isolate knows of a session it checked, reused for SESSION_CHECK_TTL_SECONDS. */
export interface SessionCheck {
  active: boolean;
  userId: string;
  role: "user" | "admin";
}

/** Sessions an isolate remembers: beyond this, the least recently used is checked again. */
const MAX_CHECKED_SESSIONS = 10_000;

/**
 * State that lives as long as the app, i.e. one isolate in production: the injected clock and the
 * isolate's caches. `createApp` makes one; tests make one per app, so apps stand for isolates.
 */
export class AppScope {
  #sessionChecks: TtlCache<string, SessionCheck> | undefined;

  constructor(readonly clock: Clock) {}

  /** The isolate's cache of session checks, made on first use with the configured time to live. */
  sessionChecks(config: Config): TtlCache<string, SessionCheck> {
    return (this.#sessionChecks ??= new TtlCache({
      maxEntries: MAX_CHECKED_SESSIONS,
      ttlMs: config.SESSION_CHECK_TTL_SECONDS * 1000,
      clock: this.clock,
    }));
  }
}
