import type { Logger } from "../logger";
import type { RequestMeter } from "../metrics/request-meter";
import type { CacheState } from "./cache-state";
import { FAMILY_PATTERN, KEY_PATTERN } from "./keys";
import { MAX_ISOLATE_TTL_SECONDS } from "./isolate-tier";
import { MAX_REDIS_TTL_SECONDS, RedisTier, type ScriptRunner } from "./redis-tier";

export type CacheTier = "isolate" | "redis";

export interface CacheReadOptions<T> {
  /** How long a value is served from each tier it is kept in. */
  ttlSeconds: number;
  /** Where the value is kept: the isolate (hot, small, other isolates never hear of a change), Redis (shared), or both. */
  tiers: readonly CacheTier[];
  /**
   * Turns what Redis gives back (the value's JSON, parsed) into a value; throwing makes it a miss.
   * Required with the Redis tier: Dates and the like come back as strings and must be revived.
   */
  decode?: (json: unknown) => T;
}

/**
 * The cache, one API over its tiers. Values are grouped in families (`user:<id>`): invalidating a
 * family drops every value of it at once. Redis failures are misses: the value is loaded, logged and
 * counted, never an error.
 * @example const profile = await cache.read(`user:${id}`, "profile", () => getProfile(deps, id), { ttlSeconds: 300, tiers: ["redis"], decode })
 */
export interface Cache {
  read<T>(family: string, key: string, load: () => Promise<T>, options: CacheReadOptions<T>): Promise<T>;
  /** Drops every value of `family`: in this isolate and, in one command, in Redis. Never throws for Redis. */
  invalidate(family: string): Promise<void>;
}

/** What the cache needs of the request it serves. */
export interface CacheRequest {
  /** The request's Upstash client; undefined when Upstash is not configured (the Redis tier is off). */
  redis: ScriptRunner | undefined;
  /** REDIS_KEY_PREFIX. */
  prefix: string;
  /** Keeps the request alive until `work` settles (`ctx.waitUntil`): fills, and loads other requests share. */
  keepAlive(work: Promise<unknown>): void;
  log(): Logger;
  /** The request's metrics, told of each tier's hit or miss. */
  meter?(): RequestMeter | undefined;
}

/** The cache for one request, over the isolate's state. */
export function createCache(state: CacheState, request: CacheRequest): Cache {
  return new RequestCache(state, request);
}

const MAX_TTL_SECONDS: Record<CacheTier, number> = { isolate: MAX_ISOLATE_TTL_SECONDS, redis: MAX_REDIS_TTL_SECONDS };

class RequestCache implements Cache {
  readonly #redisTier: RedisTier | undefined;
  /** Loads under way in this request, by the isolate tier's slot (family, generation, key). */
  readonly #flights = new Map<string, Promise<unknown>>();

  constructor(
    private readonly state: CacheState,
    private readonly request: CacheRequest,
  ) {
    this.#redisTier = request.redis && new RedisTier(request.redis, request.prefix);
  }

  read<T>(family: string, key: string, load: () => Promise<T>, options: CacheReadOptions<T>): Promise<T> {
    checkRead(family, key, options);
    const { isolate } = this.state;
    const slot = isolate.slot(family, key);
    if (options.tiers.includes("isolate")) {
      const hit = isolate.get(slot);
      this.request.meter?.()?.cacheLookup("isolate", hit !== undefined);
      if (hit) return Promise.resolve(hit.value as T);
    }
    // Readers of a key in this request share one load. Other requests never wait on it: workerd
    // would run their continuations inside this request (see ownPromise, whose hand-back did not hold
    // under the bench's load); across requests, the Redis tier's fill lock makes one fill per key.
    const flights = this.#flights;
    const shared = flights.get(slot);
    if (shared) return shared as Promise<T>;
    const flight: Promise<T> = this.#fetch(family, key, slot, load, options).finally(() => {
      if (flights.get(slot) === flight) flights.delete(slot);
    });
    flights.set(slot, flight);
    return flight;
  }

  async invalidate(family: string): Promise<void> {
    if (!FAMILY_PATTERN.test(family)) throw new Error("cache family must be ours: letters, digits, _ - and : between parts");
    this.state.isolate.invalidate(family);
    if (!this.#redisTier) return;
    try {
      await this.#redisTier.invalidate(family);
    } catch (error) {
      this.#redisFailed("invalidate", family, error);
    }
  }

  async #fetch<T>(family: string, key: string, slot: string, load: () => Promise<T>, options: CacheReadOptions<T>): Promise<T> {
    const value = this.#redisTier && options.tiers.includes("redis") ? await this.#throughRedis(this.#redisTier, family, key, load, options) : await load();
    const { isolate } = this.state;
    // An invalidation while the value was loaded gave the family a new slot: the value may predate it.
    if (options.tiers.includes("isolate") && isolate.slot(family, key) === slot) isolate.set(slot, value, options.ttlSeconds * 1000);
    return value;
  }

  async #throughRedis<T>(tier: RedisTier, family: string, key: string, load: () => Promise<T>, options: CacheReadOptions<T>): Promise<T> {
    const { fill } = this.state;
    const token = crypto.randomUUID();
    let read;
    try {
      read = await tier.read(family, key, { token, ms: fill.lockMs });
      if (read.hit) {
        const decoded = this.#decode(read.value, family, options);
        if (decoded) return this.#redisHit(decoded.value);
      } else if (!read.locked) {
        // Another reader is filling this key: wait a little for its value rather than load it too.
        for (let poll = 0; poll < fill.polls; poll++) {
          await this.state.sleep(fill.pollMs);
          read = await tier.read(family, key, { token, ms: 0 });
          if (!read.hit) continue;
          const decoded = this.#decode(read.value, family, options);
          if (decoded) return this.#redisHit(decoded.value);
          break;
        }
      }
    } catch (error) {
      this.#redisFailed("read", family, error);
      this.request.meter?.()?.cacheLookup("redis", false);
      return load();
    }
    this.request.meter?.()?.cacheLookup("redis", false);
    const value = await load();
    const json = JSON.stringify(value);
    if (json !== undefined) {
      const ttlMs = options.ttlSeconds * 1000;
      this.request.keepAlive(tier.fill(family, key, read.version, json, ttlMs, token).catch((error: unknown) => this.#redisFailed("fill", family, error)));
    }
    return value;
  }

  #redisHit<T>(value: T): T {
    this.request.meter?.()?.cacheLookup("redis", true);
    return value;
  }

  #decode<T>(json: unknown, family: string, options: CacheReadOptions<T>): { value: T } | undefined {
    try {
      return { value: options.decode!(json) };
    } catch {
      // A value another version of the code stored: read it afresh, and the fill replaces it.
      this.request.log().warn("cache value not decoded; read again", { family: familyKind(family) });
      return undefined;
    }
  }

  #redisFailed(operation: "read" | "fill" | "invalidate", family: string, error: unknown): void {
    const redisFailures = this.state.countRedisFailure();
    this.request.log().warn("cache: redis failed; treated as a miss", { operation, family: familyKind(family), redisFailures, error });
  }
}

/** The family's kind (`user` of `user:<id>`): logs name no user. */
function familyKind(family: string): string {
  return family.split(":", 1)[0]!;
}

function checkRead(family: string, key: string, options: CacheReadOptions<unknown>): void {
  if (!FAMILY_PATTERN.test(family)) throw new Error("cache family must be ours: letters, digits, _ - and : between parts");
  if (!KEY_PATTERN.test(key)) throw new Error("cache key must be ours: letters, digits, _ . -");
  if (options.tiers.length === 0) throw new Error("cache read needs a tier");
  const max = Math.min(...options.tiers.map((tier) => MAX_TTL_SECONDS[tier]));
  if (!(options.ttlSeconds > 0 && options.ttlSeconds <= max)) throw new Error(`cache ttlSeconds must be in (0, ${max}]`);
  if (options.tiers.includes("redis") && !options.decode) throw new Error("the Redis tier needs decode: values come back as JSON");
}
