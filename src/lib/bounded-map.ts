/**
 * A Map that keeps at most `maxEntries`, forgetting the oldest insertion first: for state a library
 * keeps in a Map it is handed (Upstash's ephemeral cache), so an isolate's memory stays bounded
 * however many keys it sees.
 * @example new Ratelimit({ …, ephemeralCache: new BoundedMap<string, number>(10_000) })
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly maxEntries: number) {
    super();
  }

  override set(key: K, value: V): this {
    // Re-inserting moves the key to the end: Map keeps insertion order, so the first key is the oldest.
    super.delete(key);
    super.set(key, value);
    while (this.size > this.maxEntries) super.delete(this.keys().next().value!);
    return this;
  }
}
