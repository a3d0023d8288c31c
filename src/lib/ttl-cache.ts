import type { Clock } from "./clock";

export interface TtlCacheOptions {
  /** Entries kept at most; the least recently used goes first. */
  maxEntries: number;
  /** How long an entry is served after it was set. */
  ttlMs: number;
  clock: Clock;
}

/**
 * A bounded least-recently-used map whose entries expire: isolate memory for small, hot data. Module
 * state in a Worker is a cache, never the truth: an isolate may die at any time.
 * @example const sessions = new TtlCache<string, SessionState>({ maxEntries: 10_000, ttlMs: 30_000, clock })
 */
export class TtlCache<K, V> {
  readonly #entries = new Map<K, { value: V; storedAt: number }>();

  constructor(private readonly options: TtlCacheOptions) {}

  /** The fresh value for `key`, or undefined (an expired entry is dropped). */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (this.options.clock() - entry.storedAt >= this.options.ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    // Re-inserting moves the key to the end: Map keeps insertion order, so the first key is the oldest.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, storedAt: this.options.clock() });
    while (this.#entries.size > this.options.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
