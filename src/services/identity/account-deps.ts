import type { Database } from "../../db/client";
import type { Cache } from "../../lib/cache";
import type { Clock } from "../../lib/clock";

/** What the account services (registration, verification, passwords, profile) need; handlers build it from `c.var.services`. */
export interface AccountDeps {
  db: Database;
  clock: Clock;
  /** Holds profiles (see profile-cache.ts): a write that changes one invalidates it before answering. */
  cache: Cache;
}
