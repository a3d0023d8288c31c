import { neonConfig } from "@neondatabase/serverless";

export interface LocalNeonEndpoints {
  /** The local stack's SQL-over-HTTP endpoint. */
  httpEndpoint?: string;
  /** The local stack's WebSocket proxy, as host:port/path. */
  wsProxy?: string;
}

/** What the last `pointNeonAtLocalStack` wrote, whoever called it. */
let pointedAt: LocalNeonEndpoints | undefined;

/**
 * Points the Neon driver's process-wide settings at the local stack (dev/): plain `ws:`, and no
 * password sent before the server asks (Neon's pipelining, which local PostgreSQL and PGlite refuse).
 * The one place these settings are written; the Worker, the conformance suite and the stack benchmark
 * use it. Imports nothing but the driver, so Node scripts can import it too.
 */
export function pointNeonAtLocalStack({ httpEndpoint, wsProxy }: LocalNeonEndpoints): void {
  if (httpEndpoint) neonConfig.fetchEndpoint = () => httpEndpoint;
  if (wsProxy) {
    neonConfig.wsProxy = () => wsProxy;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
  }
  pointedAt = { httpEndpoint, wsProxy };
}

/** Whether the driver's settings are the ones `pointNeonAtLocalStack(endpoints)` writes. */
export function isNeonPointedAt({ httpEndpoint, wsProxy }: LocalNeonEndpoints): boolean {
  return pointedAt !== undefined && pointedAt.httpEndpoint === httpEndpoint && pointedAt.wsProxy === wsProxy;
}
