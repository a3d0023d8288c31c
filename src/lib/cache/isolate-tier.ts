import { BoundedMap } from "../bounded-map";
import type { Clock } from "../clock";
import { TtlCache } from "../ttl-cache";

/** Values one isolate keeps at most, over every family; the least recently used goes first. */
export const MAX_ISOLATE_ENTRIES = 10_000;
/** Longest an isolate keeps a value: it cannot hear another isolate's invalidation. */
export const MAX_ISOLATE_TTL_SECONDS = 3600;

interface Entry {
  value: unknown;
  expiresAt: number;
}

/**
 * The isolate tier: a bounded LRU whose entries expire, for small, hot data. `invalidate(family)`
 * drops a family here at once; other isolates keep theirs until their TTL ends.
 */
export class IsolateTier {
  readonly #entries: TtlCache<string, Entry>;
  /**
   * Each family's generation, part of its entries' keys: invalidating gives the family a new one, so
   * its entries are unreachable at once. Generations come from one counter and a family the map forgot
   * gets a new one, so a forgotten family can never reach entries from before.
   */
  readonly #generations = new BoundedMap<string, number>(MAX_ISOLATE_ENTRIES);
  #nextGeneration = 0;

  constructor(private readonly clock: Clock) {
    this.#entries = new TtlCache({ maxEntries: MAX_ISOLATE_ENTRIES, ttlMs: MAX_ISOLATE_TTL_SECONDS * 1000, clock });
  }

  /** The map key of `key` in `family`'s current generation. */
  slot(family: string, key: string): string {
    let generation = this.#generations.get(family);
    if (generation === undefined) {
      generation = ++this.#nextGeneration;
      this.#generations.set(family, generation);
    }
    return `${family}\n${generation}\n${key}`;
  }

  get(slot: string): { value: unknown } | undefined {
    const entry = this.#entries.get(slot);
    if (!entry) return undefined;
    if (this.clock() >= entry.expiresAt) {
      this.#entries.delete(slot);
      return undefined;
    }
    return { value: entry.value };
  }

  set(slot: string, value: unknown, ttlMs: number): void {
    this.#entries.set(slot, { value, expiresAt: this.clock() + ttlMs });
  }

  invalidate(family: string): void {
    this.#generations.set(family, ++this.#nextGeneration);
  }

  get size(): number {
    return this.#entries.size;
  }
}
