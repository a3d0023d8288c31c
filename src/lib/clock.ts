/**
 * Milliseconds since the Unix epoch. Code whose outcome depends on the time takes a Clock, so tests
 * move time instead of waiting for it.
 */
export type Clock = () => number;

/** The real time. */
export const systemClock: Clock = () => Date.now();
