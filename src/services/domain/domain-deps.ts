import type { Database } from "../../db/client";
import type { Cache } from "../../lib/cache";
import type { Clock } from "../../lib/clock";

/** What the project and task services need: the database, the clock, and the cache they keep single resources in. */
export interface DomainDeps {
  db: Database;
  clock: Clock;
  cache: Cache;
}

/** A page of a list: its items and the cursor of the next page, null on the last one. */
export interface DomainPage<T> {
  items: T[];
  nextCursor: string | null;
}
