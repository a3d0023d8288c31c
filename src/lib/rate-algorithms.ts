import type { RateDecision, RatePolicy } from "./rate-policy";

/** A counter's stored state; each algorithm has its own shape. */
export type CounterState = FixedWindowState | SlidingWindowState | TokenBucketState;

/** The window opened by the key's first consume, and what it has counted. */
interface FixedWindowState {
  windowStart: number;
  count: number;
}

/** The current window on the epoch-aligned grid, what it counted and what the window before it counted. */
interface SlidingWindowState {
  windowStart: number;
  current: number;
  previous: number;
}

/** Tokens left at `at`. */
interface TokenBucketState {
  tokens: number;
  at: number;
}

/** The decision, and the state to store when something was consumed (`undefined`: store nothing). */
export interface Evaluation {
  decision: RateDecision;
  /** The new state after a consume that was allowed. */
  next?: CounterState;
}

/**
 * Tokens refill as a real number: floating-point rounding must not refuse a caller who comes back
 * exactly when `retryAfterMs` said, so a hair under a whole token counts as the token.
 */
const TOKEN_EPSILON = 1e-9;

/** How one algorithm reads and changes its state; `state` is always the one `advance` returned. */
interface Algorithm<S> {
  limit: number;
  /** The stored state carried forward to `now`: windows rolled over, tokens refilled. */
  advance(stored: S | undefined, now: number): S;
  /** Units a consume can take now. */
  available(state: S, now: number): number;
  take(state: S, cost: number): S;
  /** The earliest time at which `cost` units are available (only asked when they are not now). */
  availableAt(state: S, cost: number, now: number): number;
  /** When the state is back to a full limit if nothing more is taken; `now` when it already is. */
  resetAt(state: S, now: number): number;
  /** When units taken now stop counting where they were taken (a window's end); null when they never do. */
  countsUntil(state: S): number | null;
}

function fixedWindow(limit: number, windowMs: number): Algorithm<FixedWindowState> {
  return {
    limit,
    // The window opens at the key's first consume (as INCR with EXPIRE does), so keys do not all
    // reset at the same moment and a login lockout lasts a full window from the first failure.
    advance: (stored, now) => (stored && now < stored.windowStart + windowMs ? stored : { windowStart: now, count: 0 }),
    available: (state) => limit - state.count,
    take: (state, cost) => ({ ...state, count: state.count + cost }),
    availableAt: (state) => state.windowStart + windowMs,
    resetAt: (state, now) => (state.count > 0 ? state.windowStart + windowMs : now),
    countsUntil: (state) => state.windowStart + windowMs,
  };
}

/**
 * The weighted two-window counter (as Cloudflare's and Upstash's sliding windows): windows on an
 * epoch-aligned grid, and the previous window's count weighted by how much of it still overlaps the
 * last `windowMs`. Integer arithmetic throughout: every estimate is scaled by `windowMs`.
 */
function slidingWindow(limit: number, windowMs: number): Algorithm<SlidingWindowState> {
  const gridStart = (now: number) => now - (now % windowMs);
  /** The previous window's weight at `now`, times windowMs. */
  const carried = (state: SlidingWindowState, now: number) => state.previous * (windowMs - (now - state.windowStart));
  return {
    limit,
    advance(stored, now) {
      const windowStart = gridStart(now);
      if (stored?.windowStart === windowStart) return stored;
      const previous = stored?.windowStart === windowStart - windowMs ? stored.current : 0;
      return { windowStart, current: 0, previous };
    },
    available: (state, now) => Math.max(0, Math.floor((limit * windowMs - carried(state, now) - state.current * windowMs) / windowMs)),
    take: (state, cost) => ({ ...state, current: state.current + cost }),
    availableAt(state, cost) {
      // Later in this window, once the previous window's weight has fallen far enough…
      const room = limit - state.current - cost;
      if (room >= 0 && state.previous > 0) {
        const elapsed = windowMs - Math.floor((room * windowMs) / state.previous);
        if (elapsed < windowMs) return state.windowStart + elapsed;
      }
      // …or in the next one, where this window's count becomes the weighted one.
      const elapsed = state.current === 0 ? 0 : Math.max(0, windowMs - Math.floor(((limit - cost) * windowMs) / state.current));
      return state.windowStart + windowMs + elapsed;
    },
    resetAt(state, now) {
      if (state.current > 0) return state.windowStart + 2 * windowMs;
      return state.previous > 0 ? state.windowStart + windowMs : now;
    },
    // After it, this window's count is only weighted: units taken in it and spent later would count less.
    countsUntil: (state) => state.windowStart + windowMs,
  };
}

/** A token bucket refilled continuously at `refillPerSecond`, starting full. */
function tokenBucket(capacity: number, refillPerSecond: number): Algorithm<TokenBucketState> {
  const msFor = (tokens: number) => Math.ceil((tokens * 1000) / refillPerSecond);
  return {
    limit: capacity,
    advance(stored, now) {
      if (!stored) return { tokens: capacity, at: now };
      return { tokens: Math.min(capacity, stored.tokens + ((now - stored.at) * refillPerSecond) / 1000), at: now };
    },
    available: (state) => Math.floor(state.tokens + TOKEN_EPSILON),
    take: (state, cost) => ({ ...state, tokens: Math.max(0, state.tokens - cost) }),
    availableAt: (state, cost, now) => now + msFor(cost - state.tokens),
    resetAt: (state, now) => (state.tokens + TOKEN_EPSILON >= capacity ? now : now + msFor(capacity - state.tokens)),
    // A token taken now and spent later was taken early: the bucket only ever holds fewer.
    countsUntil: () => null,
  };
}

function algorithmOf(policy: RatePolicy): Algorithm<CounterState> {
  switch (policy.algorithm) {
    case "fixed-window":
      return fixedWindow(policy.limit, policy.windowMs) as Algorithm<CounterState>;
    case "sliding-window":
      return slidingWindow(policy.limit, policy.windowMs) as Algorithm<CounterState>;
    case "token-bucket":
      return tokenBucket(policy.capacity, policy.refillPerSecond) as Algorithm<CounterState>;
  }
}

/**
 * Decides a call against the stored state at `now`: `consume` takes `cost` units when they are
 * available and returns the state to store; a peek (`consume` false) asks whether `cost` units are
 * available and changes nothing. A refused consume changes nothing either.
 */
export function evaluate(policy: RatePolicy, stored: CounterState | undefined, cost: number, now: number, consume: boolean): Evaluation {
  const { decision, next } = consume ? evaluateLease(policy, stored, cost, cost, now) : peekAt(policy, stored, cost, now);
  return next ? { decision, next } : { decision };
}

/** A lease's evaluation: how many units it was granted, and until when they count. */
export interface LeaseEvaluation extends Evaluation {
  /** Units taken: 0 when refused, otherwise from `cost` to `upTo`. */
  granted: number;
  /** Spend the units before this time (a window's end), or they count in a window they were not taken in; null: no such time. */
  spendBy: number | null;
}

/**
 * Takes at least `cost` and up to `upTo` units (`upTo` ≥ `cost`): as many as are available, when
 * `cost` of them are; otherwise refuses as a consume of `cost` would, changing nothing. The
 * decision's `remaining` is what is left after the whole grant.
 */
export function evaluateLease(policy: RatePolicy, stored: CounterState | undefined, cost: number, upTo: number, now: number): LeaseEvaluation {
  const algorithm = algorithmOf(policy);
  const state = algorithm.advance(stored, now);
  const available = algorithm.available(state, now);
  if (cost > available) return { ...refusal(algorithm, state, available, cost, now), granted: 0, spendBy: null };
  const granted = Math.min(upTo, available);
  const next = algorithm.take(state, granted);
  const decision = { limit: algorithm.limit, allowed: true, remaining: algorithm.available(next, now), resetAt: algorithm.resetAt(next, now), retryAfterMs: 0 };
  return { decision, next, granted, spendBy: algorithm.countsUntil(state) };
}

function peekAt(policy: RatePolicy, stored: CounterState | undefined, cost: number, now: number): Evaluation {
  const algorithm = algorithmOf(policy);
  const state = algorithm.advance(stored, now);
  const available = algorithm.available(state, now);
  if (cost > available) return refusal(algorithm, state, available, cost, now);
  return { decision: { limit: algorithm.limit, allowed: true, remaining: available, resetAt: algorithm.resetAt(state, now), retryAfterMs: 0 } };
}

function refusal(algorithm: Algorithm<CounterState>, state: CounterState, available: number, cost: number, now: number): Evaluation {
  const decision = { limit: algorithm.limit, allowed: false, remaining: available, resetAt: algorithm.resetAt(state, now) };
  return { decision: { ...decision, retryAfterMs: algorithm.availableAt(state, cost, now) - now } };
}
