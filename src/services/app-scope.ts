import type { Config } from "../env";
import { BoundedMap } from "../lib/bounded-map";
import { CircuitBreaker } from "../lib/circuit-breaker";
import type { Clock } from "../lib/clock";
import { IsolateRateLimits } from "../lib/isolate-rate-limits";
import { DEPENDENCY_RETRY_AFTER_SECONDS, findDependencyFailure } from "../lib/errors";
import { createLogger } from "../lib/logger";
import { isRedisFailure } from "../lib/redis";
import { CacheState, type FillSettings, type Sleep } from "../lib/cache";
import { TtlCache } from "../lib/ttl-cache";
import { IpRuleCache } from "./ip-rule-cache";
import { ApiKeyCache } from "./workspaces/api-key-cache";

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

/** Consecutive dependency failures that open a breaker. */
export const BREAKER_FAILURE_THRESHOLD = 5;
/** How long an open breaker refuses calls before one probe: what `Retry-After` tells clients. */
export const BREAKER_COOL_DOWN_MS = DEPENDENCY_RETRY_AFTER_SECONDS * 1000;
/** Breakers an isolate keeps: one per dependency in production; tests bind one app to several stacks. */
const MAX_BREAKERS = 8;

export type GuardedDependency = "database" | "redis";

/**
 * State that lives as long as the app, i.e. one isolate in production: the injected clock and the
 * isolate's caches. `createApp` makes one; tests make one per app, so apps stand for isolates.
 */
export class AppScope {
  #sessionChecks: TtlCache<string, SessionCheck> | undefined;
  #rateLimits: IsolateRateLimits | undefined;
  #ipRules: IpRuleCache | undefined;
  #apiKeys: ApiKeyCache | undefined;
  readonly #breakers = new BoundedMap<string, CircuitBreaker>(MAX_BREAKERS);
  #cache: CacheState | undefined;

  constructor(
    readonly clock: Clock,
    private readonly cacheOptions: CacheOptions = {},
  ) {}

  /**
   * The isolate's circuit breaker for `dependency` at `target` (its URL), made on first use. It logs a
   * warn line when it opens and when it closes; a single failure is logged by the caller that absorbs
   * it (the rate limit failing open, the cache missing), with the request's ids: one line per event.
   */
  breaker(dependency: GuardedDependency, target: string, config: Config): CircuitBreaker {
    const key = `${dependency} ${target}`;
    let breaker = this.#breakers.get(key);
    if (breaker) return breaker;
    const log = createLogger({ level: config.LOG_LEVEL, fields: { dependency } });
    breaker = new CircuitBreaker({
      dependency,
      clock: this.clock,
      failureThreshold: BREAKER_FAILURE_THRESHOLD,
      coolDownMs: BREAKER_COOL_DOWN_MS,
      isFailure: dependency === "redis" ? isRedisFailure : (error) => findDependencyFailure(error) !== undefined,
      onTransition: (state) => log.warn(state === "open" ? "circuit breaker opened" : "circuit breaker closed"),
    });
    this.#breakers.set(key, breaker);
    return breaker;
  }

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

  /** The isolate's memory of API keys it verified (see ApiKeyCache), made on first use. */
  apiKeys(): ApiKeyCache {
    return (this.#apiKeys ??= new ApiKeyCache(this.clock));
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
