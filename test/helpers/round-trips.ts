import { vi } from "vitest";
import type { StackInfo } from "../../dev/stack-info.ts";
import { testStack } from "./stack";

/**
 * Counts the database round trips `work` makes: the requests to the Neon HTTP endpoint, which carry
 * every one-shot query and every batch (the local stack's endpoint stands in for Neon's). `statements`
 * lists each round trip's SQL, a batch's statements joined by `;`. Counted at `stack`'s endpoint.
 * @example const { roundTrips } = await countDatabaseRoundTrips(() => call(app, "/v1/me", init))
 */
export async function countDatabaseRoundTrips<T>(work: () => Promise<T>, stack: StackInfo = testStack()): Promise<{ result: T; roundTrips: number; statements: string[] }> {
  const endpoint = stack.neonHttpUrl;
  const spy = vi.spyOn(globalThis, "fetch");
  try {
    const result = await work();
    const calls = spy.mock.calls.filter(([input]) => String(input instanceof Request ? input.url : input).startsWith(endpoint));
    return { result, roundTrips: calls.length, statements: calls.map(([, init]) => sqlOf(init?.body)) };
  } finally {
    spy.mockRestore();
  }
}

/** The SQL of a Neon HTTP request body: `{ query }`, or `{ queries: [{ query }…] }` for a batch. */
function sqlOf(body: unknown): string {
  if (typeof body !== "string") return "";
  const parsed = JSON.parse(body) as { query?: string; queries?: Array<{ query: string }> };
  return (parsed.queries?.map((item) => item.query) ?? [parsed.query ?? ""]).join("; ").replace(/\s+/g, " ").trim();
}
