/**
 * When a delivery's attempts happen: the first at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
 * 10 h after the one before. `ATTEMPT_DELAYS_SECONDS[n - 1]` is the wait before attempt n. Every
 * delay is under a queue's 12-hour maximum.
 */
export const ATTEMPT_DELAYS_SECONDS = [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000] as const;

/** Scheduled attempts of a delivery; after the last one fails, the delivery has failed. */
export const MAX_SCHEDULED_ATTEMPTS = ATTEMPT_DELAYS_SECONDS.length;

/** Attempts one delivery may have in all, manual retries included: bounds its log. */
export const MAX_ATTEMPTS_PER_DELIVERY = 50;

/** An endpoint failing for this long (since its last success) is disabled at its next failed attempt. */
export const DISABLE_AFTER_FAILING_MS = 5 * 86_400_000;

/** Seconds to wait after failed attempt `attempt` before the next one; undefined when none is left. */
export function delayAfterFailure(attempt: number): number | undefined {
  return attempt < MAX_SCHEDULED_ATTEMPTS ? ATTEMPT_DELAYS_SECONDS[attempt] : undefined;
}
