import { Client, Pool } from "@neondatabase/serverless";
import { inject } from "vitest";
import type { StackInfo } from "../../dev/stack-info.ts";
import { pointNeonAtLocalStack } from "../../src/db/local-neon";

/** The conformance suite runs once over the machine's PostgreSQL and once over PGlite. */
export const databaseStacks: Array<[name: string, info: StackInfo]> = [
  ["postgres", inject("stack")],
  ["pglite", inject("pgliteStack")],
];

/** Points the Neon driver's global settings at one stack, as the Worker's database module does. */
export function pointNeonAt(info: StackInfo): void {
  pointNeonAtLocalStack({ httpEndpoint: info.neonHttpUrl, wsProxy: info.neonWsProxy });
}

/** A table name no other test uses. */
export function uniqueTable(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

/**
 * A Pool on one stack. Since compatibility date 2026-04-07 workerd answers the proxy's close
 * frame itself and then reports the socket's end as an error on the idle client, after
 * `end()` has resolved; a Pool without an error listener would turn that into an uncaught
 * exception (the Worker's database module listens too).
 */
export function poolOn(info: StackInfo): Pool {
  const pool = new Pool({ connectionString: info.databaseUrl, max: 1 });
  pool.on("error", () => {});
  return pool;
}

/** A single Client on one stack, with the same error listener as `poolOn`. */
export function clientOn(info: StackInfo): Client {
  const client = new Client(info.databaseUrl);
  client.on("error", () => {});
  return client;
}
