import type { Config } from "../env";
import { createDatabase, type Database } from "../db/client";
import { createRedis, type Redis } from "../lib/redis";

/** The external services a request may use, built once per request from the validated config. */
export interface Services {
  db: Database;
  /** Undefined when Upstash is not configured: Redis only ever makes the API faster. */
  redis: Redis | undefined;
}

export function createServices(config: Config): Services {
  return { db: createDatabase(config), redis: createRedis(config) };
}
