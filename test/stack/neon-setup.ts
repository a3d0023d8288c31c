import { neonConfig } from "@neondatabase/serverless";
import { inject } from "vitest";
import type { StackInfo } from "../../dev/stack-info.ts";

/** The conformance suite runs once over the machine's PostgreSQL and once over PGlite. */
export const databaseStacks: Array<[name: string, info: StackInfo]> = [
  ["postgres", inject("stack")],
  ["pglite", inject("pgliteStack")],
];

/** Points the Neon driver's global settings at one stack, as the Worker's database module does. */
export function pointNeonAt(info: StackInfo): void {
  neonConfig.fetchEndpoint = () => info.neonHttpUrl;
  neonConfig.wsProxy = () => info.neonWsProxy;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
}

/** A table name no other test uses. */
export function uniqueTable(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
}
