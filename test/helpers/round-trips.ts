import { vi } from "vitest";
import { testStack } from "./stack";

/**
 * Counts the database round trips `work` makes: the requests to the Neon HTTP endpoint, which carry
 * every one-shot query and every batch (the local stack's endpoint stands in for Neon's).
 * @example const { roundTrips } = await countDatabaseRoundTrips(() => call(app, "/v1/me", init))
 */
export async function countDatabaseRoundTrips<T>(work: () => Promise<T>): Promise<{ result: T; roundTrips: number }> {
  const endpoint = testStack().neonHttpUrl;
  const spy = vi.spyOn(globalThis, "fetch");
  try {
    const result = await work();
    const roundTrips = spy.mock.calls.filter(([input]) => String(input instanceof Request ? input.url : input).startsWith(endpoint)).length;
    return { result, roundTrips };
  } finally {
    spy.mockRestore();
  }
}
