import type { Config } from "../env";
import { createDatabase, type Database } from "../db/client";
import type { Clock } from "../lib/clock";
import { createRedis, type Redis } from "../lib/redis";
import { importSigningKeys, type SigningKeys } from "../lib/tokens";
import type { AppScope, SessionCheck } from "./app-scope";
import type { TtlCache } from "../lib/ttl-cache";

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
}

/**
 * Builds each client on first use within the request, so requests that touch neither service
 * (404s, the OpenAPI document) pay for neither. Clients are per request on purpose: the Upstash
 * client batches commands into shared fetches, and I/O must not cross requests in Workers.
 */
export function createServices(config: Config, scope: AppScope): Services {
  let db: Database | undefined;
  let redis: { client: Redis | undefined } | undefined;
  return {
    get db() {
      return (db ??= createDatabase(config));
    },
    get redis() {
      return (redis ??= { client: createRedis(config) }).client;
    },
    clock: scope.clock,
    signingKeys: () => importSigningKeys(config.JWT_SIGNING_KEYS),
    get sessionChecks() {
      return scope.sessionChecks(config);
    },
  };
}
