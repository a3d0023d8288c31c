/** The current time in milliseconds since the epoch; injected wherever time decides an outcome. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
