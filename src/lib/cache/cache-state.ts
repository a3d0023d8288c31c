import type { Clock } from "../clock";
import { IsolateTier } from "./isolate-tier";

/** How one fill per key is kept across isolates (see README, Caching). */
export interface FillSettings {
  /** How long the fill lock lives: past it, a crashed filler no longer holds anyone up. */
  lockMs: number;
  /** How long a reader that found the lock taken waits between looks for the value. */
  pollMs: number;
  /** How many looks before it reads the database itself: the bound on waiting, never a deadlock. */
  polls: number;
}

export const DEFAULT_FILL_SETTINGS: FillSettings = { lockMs: 2000, pollMs: 50, polls: 5 };

export type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What the cache keeps for as long as the app lives (one isolate): the isolate tier and the count of
 * Redis failures. Loads under way are the request's own (see RequestCache).
 */
export class CacheState {
  readonly isolate: IsolateTier;
  #redisFailures = 0;

  constructor(
    readonly clock: Clock,
    readonly fill: FillSettings = DEFAULT_FILL_SETTINGS,
    /** Tests pass their own, so a waiter's turns are theirs to decide, not the wall clock's. */
    readonly sleep: Sleep = realSleep,
  ) {
    this.isolate = new IsolateTier(clock);
  }

  /** Counts one Redis failure and returns how many this isolate has had (metrics come with issue 9). */
  countRedisFailure(): number {
    return ++this.#redisFailures;
  }

  get redisFailures(): number {
    return this.#redisFailures;
  }
}
