import type { Config } from "../env";
import { createDatabase, type Database } from "../db/client";
import { createCache, type Cache } from "../lib/cache";
import type { Clock } from "../lib/clock";
import { oneFailurePerRequest } from "../lib/dependency-guard";
import { createLogger, type Logger } from "../lib/logger";
import { meteredDatabaseGuard, type RequestMeter } from "../lib/metrics";
import type { IsolateRateLimits } from "../lib/isolate-rate-limits";
import { createRedis, type Redis } from "../lib/redis";
import { NO_TRACER, type Tracer } from "../lib/tracing/tracer";
import { importSigningKeys, type SigningKeys } from "../lib/tokens";
import type { AppScope, SessionCheck } from "./app-scope";
import type { IpRuleCache } from "./ip-rule-cache";
import type { TtlCache } from "../lib/ttl-cache";
import type { ApiKeyCache } from "./workspaces/api-key-cache";

/** The external services a request may use, built from the validated config. */
export interface Services {
  readonly db: Database;
  /** Undefined when Upstash is not configured: Redis only ever makes the API faster. */
  readonly redis: Redis | undefined;
  readonly clock: Clock;
  /** The JWT signing keys, imported once per isolate. */
  signingKeys(): Promise<SigningKeys>;
  /** The isolate's cache of checked sessions (see SESSION_CHECK_TTL_SECONDS). */
  readonly sessionChecks: TtlCache<string, SessionCheck>;
  /** The isolate's rate-limit state (see src/middleware/rate-limit.ts). */
  readonly rateLimits: IsolateRateLimits;
  /** The isolate's copy of the admins' IP rules (see IP_RULES_TTL_SECONDS). */
  readonly ipRules: IpRuleCache;
  /** The cache: the isolate tier and, when Upstash is configured, the Redis tier (src/lib/cache). */
  readonly cache: Cache;
  /** The isolate's memory of API keys: verified records, unknown prefixes, last-used writes. */
  readonly apiKeys: ApiKeyCache;
  /** Keeps the request alive until `work` settles, without the response waiting for it (`ctx.waitUntil`). */
  keepAlive(work: Promise<unknown>): void;
}

/** What the services need of the request they serve. */
export interface RequestHooks {
  /** Keeps the request alive until `work` settles (`ctx.waitUntil`). */
  keepAlive(work: Promise<unknown>): void;
  /** The request's logger. */
  log(): Logger;
  /** Records the request's outbound calls as spans (NO_TRACER when tracing is off). */
  tracer(): Tracer;
  /** The request's metrics, when they are on. */
  meter?(): RequestMeter | undefined;
}

/** For services made outside a request (tests, scripts): work is left to run, lines go to the console. */
const DETACHED: RequestHooks = { keepAlive: () => {}, log: () => createLogger(), tracer: () => NO_TRACER };

/**
 * Builds each client on first use within the request, so requests that touch neither service
 * (404s, the OpenAPI document) pay for neither. Clients are per request on purpose: the Upstash
 * client batches commands into shared fetches, and I/O must not cross requests in Workers.
 */
export function createServices(config: Config, scope: AppScope, hooks: RequestHooks = DETACHED): Services {
  return new RequestServices(config, scope, hooks);
}

// A class, so a request allocates one small object and no closures: every request builds one.
class RequestServices implements Services {
  readonly #config: Config;
  readonly #scope: AppScope;
  readonly #hooks: RequestHooks;
  #db: Database | undefined;
  #redis: { client: Redis | undefined } | undefined;
  #cache: Cache | undefined;

  constructor(config: Config, scope: AppScope, hooks: RequestHooks) {
    this.#config = config;
    this.#scope = scope;
    this.#hooks = hooks;
  }

  get db(): Database {
    return (this.#db ??= this.#createDatabase());
  }

  get redis(): Redis | undefined {
    return (this.#redis ??= { client: this.#createRedis() }).client;
  }

  // A request's database calls stop at its first database failure: it waits for the bound once.
  #createDatabase(): Database {
    const config = this.#config;
    const target = `${config.DATABASE_URL} ${config.NEON_HTTP_ENDPOINT ?? ""}`;
    const breaker = this.#scope.breaker("database", target, config);
    return createDatabase(config, {
      guard: oneFailurePerRequest(meteredDatabaseGuard(breaker, () => this.#hooks.meter?.())),
      tracer: this.#hooks.tracer(),
      log: () => this.#hooks.log(),
    });
  }

  #createRedis(): Redis | undefined {
    const config = this.#config;
    if (!config.UPSTASH_REDIS_REST_URL) return undefined;
    return createRedis(config, { guard: this.#scope.breaker("redis", config.UPSTASH_REDIS_REST_URL, config), tracer: this.#hooks.tracer() });
  }

  get clock(): Clock {
    return this.#scope.clock;
  }

  signingKeys(): Promise<SigningKeys> {
    return importSigningKeys(this.#config.JWT_SIGNING_KEYS);
  }

  get sessionChecks(): TtlCache<string, SessionCheck> {
    return this.#scope.sessionChecks(this.#config);
  }

  get rateLimits(): IsolateRateLimits {
    return this.#scope.rateLimits();
  }

  get ipRules(): IpRuleCache {
    return this.#scope.ipRules(this.#config);
  }

  get apiKeys(): ApiKeyCache {
    return this.#scope.apiKeys();
  }

  keepAlive(work: Promise<unknown>): void {
    this.#hooks.keepAlive(work);
  }

  get cache(): Cache {
    return (this.#cache ??= createCache(this.#scope.cache(), {
      redis: this.redis,
      prefix: this.#config.REDIS_KEY_PREFIX,
      keepAlive: (work) => this.#hooks.keepAlive(work),
      log: () => this.#hooks.log(),
      meter: () => this.#hooks.meter?.(),
    }));
  }
}
