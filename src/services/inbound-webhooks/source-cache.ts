import { systemClock } from "../../lib/clock";
import { TtlCache } from "../../lib/ttl-cache";
import type { Database } from "../../db/client";
import { receivingSource, type ReceivingSource } from "./deliveries";

/** How long an isolate verifies a source's deliveries without reading it again. */
export const SOURCE_CACHE_TTL_MS = 60_000;
const MAX_CACHED_SOURCES = 1_000;

/**
 * The isolate's copy of the sources it received for, their secrets still sealed: a warm source's
 * delivery costs one database round trip (the store), not two. Deletion needs no invalidation here:
 * the store statement inserts only for a live source and answers 404 otherwise. Bounded and expiring;
 * keyed by source id, never by anything of the request.
 */
const sources = new TtlCache<string, ReceivingSource>({ maxEntries: MAX_CACHED_SOURCES, ttlMs: SOURCE_CACHE_TTL_MS, clock: systemClock });

/** Live source `sourceId` from the isolate's copy, or read (one round trip); undefined for none. */
export async function cachedSource(db: Database, sourceId: string): Promise<ReceivingSource | undefined> {
  const cached = sources.get(sourceId);
  if (cached) return cached;
  const source = await receivingSource(db, sourceId);
  if (source) sources.set(sourceId, source);
  return source;
}

/** Drops `sourceId` from the isolate's copy (it was found deleted). */
export function forgetSource(sourceId: string): void {
  sources.delete(sourceId);
}
