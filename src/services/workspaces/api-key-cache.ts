import type { Clock } from "../../lib/clock";
import type { IpRangeList } from "../../lib/ip-ranges";
import type { Permission } from "../../lib/permissions";
import { TtlCache } from "../../lib/ttl-cache";

/**
 * How long an isolate trusts a key record it read: a revocation, a rotation's end or a workspace's
 * deletion reaches every isolate within this bound (the isolate that made the change, at once).
 */
export const API_KEY_CACHE_TTL_MS = 30_000;
/** How long an isolate remembers that no key has a prefix: short, as a new key's prefix is new anyway. */
export const API_KEY_UNKNOWN_TTL_MS = 5_000;
/** An isolate writes a key's `last_used_at` at most once per this interval. */
export const API_KEY_LAST_USED_INTERVAL_MS = 60_000;
/** Keys an isolate remembers in each of its maps; beyond this, the least recently used goes. */
const MAX_KEYS = 10_000;

/** An API key as verification needs it, read once and kept by the isolate; no secret, only hashes. */
export interface VerifiableKey {
  id: string;
  workspaceId: string;
  prefix: string;
  secretHash: string;
  /** The secret before the last rotation, valid until `previousSecretExpiresAt` (ms since the epoch). */
  previousSecretHash: string | null;
  previousSecretExpiresAt: number | null;
  scopes: ReadonlySet<Permission>;
  /** Null for anywhere. */
  allowedCidrs: IpRangeList | null;
  expiresAt: number | null;
  revoked: boolean;
  workspaceDeleted: boolean;
}

/**
 * The isolate's memory of API keys: records by prefix (API_KEY_CACHE_TTL_MS), prefixes no key has
 * (API_KEY_UNKNOWN_TTL_MS), and when it last had each key's use written. Bounded, and a cache only:
 * the database decides whenever this has nothing.
 */
export class ApiKeyCache {
  readonly #keys: TtlCache<string, VerifiableKey>;
  readonly #unknown: TtlCache<string, true>;
  readonly #uses: TtlCache<string, true>;

  constructor(clock: Clock) {
    this.#keys = new TtlCache({ maxEntries: MAX_KEYS, ttlMs: API_KEY_CACHE_TTL_MS, clock });
    this.#unknown = new TtlCache({ maxEntries: MAX_KEYS, ttlMs: API_KEY_UNKNOWN_TTL_MS, clock });
    this.#uses = new TtlCache({ maxEntries: MAX_KEYS, ttlMs: API_KEY_LAST_USED_INTERVAL_MS, clock });
  }

  /** The record of `prefix`; null when the isolate recently found no key of it; undefined when it does not know. */
  get(prefix: string): VerifiableKey | null | undefined {
    return this.#keys.get(prefix) ?? (this.#unknown.get(prefix) ? null : undefined);
  }

  /** Remembers what the database said of `prefix`: its key, or none. */
  set(prefix: string, key: VerifiableKey | null): void {
    if (key) {
      this.#unknown.delete(prefix);
      this.#keys.set(prefix, key);
    } else {
      this.#keys.delete(prefix);
      this.#unknown.set(prefix, true);
    }
  }

  /** Drops what the isolate knows of `prefix`, after this isolate changed the key. */
  forget(prefix: string): void {
    this.#keys.delete(prefix);
    this.#unknown.delete(prefix);
  }

  /**
   * True when the isolate should write key `keyId`'s last use now: the first time, and then at most
   * once per API_KEY_LAST_USED_INTERVAL_MS.
   */
  claimLastUsedWrite(keyId: string): boolean {
    if (this.#uses.get(keyId)) return false;
    this.#uses.set(keyId, true);
    return true;
  }
}
