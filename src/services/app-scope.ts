import type { Config } from "../env";
import type { Clock } from "../lib/clock";
import { IsolateRateLimits } from "../lib/isolate-rate-limits";
import { CacheState, type FillSettings, type Sleep } from "../lib/cache";
import { DEPENDENCY_RETRY_AFTER_SECONDS } from "../lib/errors";
import { TtlCache } from "../lib/ttl-cache";
import { IpRuleCache } from "./ip-rule-cache";

/** What an isolate knows of a session it checked, reused for SESSION_CHECK_TTL_SECONDS. */
export interface SessionCheck {
  active: boolean;
  userId: string;
  role: "user" | "admin";
}

/** How the cache waits for another isolate's fill; tests pass their own. */
export interface CacheOptions {
  fill?: FillSettings;
  sleep?: Sleep;
}

/** Sessions an isolate remembers: beyond this, the least recently used is checked again. */
const MAX_CHECKED_SESSIONS = 10_000;

/**
 * State that lives as long as the app, i.e. one isolate in production: the injected clock and the
 * isolate's caches. `createApp` makes one; tests make one per app, so apps stand for isolates.
 */
export class AppScope {
  #sessionChecks: TtlCache<string, SessionCheck> | undefined;
  #rateLimits: IsolateRateLimits | undefined;
  #ipRules: IpRuleCache | undefined;
  #cache: CacheState | undefined;

  constructor(
    readonly clock: Clock,
    private readonly cacheOptions: CacheOptions = {},
  ) {}

  /** The isolate's cache of session checks, made on first use with the configured time to live. */
  sessionChecks(config: Config): TtlCache<string, SessionCheck> {
    return (this.#sessionChecks ??= new TtlCache({
      maxEntries: MAX_CHECKED_SESSIONS,
      ttlMs: config.SESSION_CHECK_TTL_SECONDS * 1000,
      clock: this.clock,
    }));
  }

  /** The rate limits' isolate state: Upstash's ephemeral cache and the fallback cap. */
  rateLimits(): IsolateRateLimits {
    return (this.#rateLimits ??= new IsolateRateLimits(this.clock));
  }

  /** The cache's isolate state: its isolate tier, the loads under way, its count of Redis failures. */
  cache(): CacheState {
    return (this.#cache ??= new CacheState(this.clock, this.cacheOptions.fill, this.cacheOptions.sleep));
  }

  /** The isolate's copy of the admins' IP rules, made on first use with the configured time to live. */
  ipRules(config: Config): IpRuleCache {
    return (this.#ipRules ??= new IpRuleCache({
      ttlMs: config.IP_RULES_TTL_SECONDS * 1000,
      retryMs: DEPENDENCY_RETRY_AFTER_SECONDS * 1000,
      clock: this.clock,
    }));
  }
}
