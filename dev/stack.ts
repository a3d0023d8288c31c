import { randomBytes } from "node:crypto";
import { startControlServer } from "./control-server.ts";
import { FaultSwitch } from "./faults.ts";
import { createLogger, type Logger } from "./logger.ts";
import { startNeonHttpEndpoint } from "./neon/http-endpoint.ts";
import { startNeonWsProxy } from "./neon/ws-proxy.ts";
import { startEmbeddedPostgres } from "./pglite.ts";
import { parseRedisUrl, startUpstashServer } from "./upstash/rest-server.ts";
import type { StackInfo } from "./stack-info.ts";

export type { StackInfo };

export interface StackOptions {
  /** A real PostgreSQL; without one the stack runs PGlite in-process. */
  databaseUrl?: string;
  /** A real Redis; without one no Upstash endpoint is started. */
  redisUrl?: string;
  /** Where PGlite keeps its data; undefined keeps it in memory. */
  pgliteDataDir?: string;
  /** The Bearer token the Upstash endpoint accepts; random when not given. */
  upstashToken?: string;
  ports?: { neonHttp?: number; neonWs?: number; upstash?: number; control?: number };
  logger?: Logger;
}

export interface Stack {
  info: StackInfo;
  faults: FaultSwitch;
  close(): Promise<void>;
}

/** Starts the local edge stack: Neon HTTP and WebSocket endpoints, Upstash REST, fault control. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const logger = options.logger ?? createLogger("stack");
  const faults = new FaultSwitch();
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closeOne of closers.reverse()) await closeOne().catch((error) => logger.warn("close failed", { error: String(error) }));
  };

  try {
    const embedded = options.databaseUrl ? undefined : await startEmbeddedPostgres({ dataDir: options.pgliteDataDir, logger });
    if (embedded) closers.push(embedded.close);
    const databaseUrl = options.databaseUrl ?? embedded!.databaseUrl;
    const parsed = new URL(databaseUrl);
    const target = {
      host: parsed.hostname,
      port: Number(parsed.port || 5432),
      defaultUser: decodeURIComponent(parsed.username) || "postgres",
      maxConnectionsPerDatabase: embedded ? 1 : 10,
    };

    const http = await startNeonHttpEndpoint({ port: options.ports?.neonHttp, target, faults, logger });
    closers.push(http.close);
    const ws = await startNeonWsProxy({ port: options.ports?.neonWs, target, faults, logger });
    closers.push(ws.close);

    const upstashToken = options.redisUrl ? (options.upstashToken ?? randomBytes(24).toString("base64url")) : null;
    const upstash = options.redisUrl
      ? await startUpstashServer({ port: options.ports?.upstash, redis: parseRedisUrl(options.redisUrl), token: upstashToken!, faults, logger })
      : undefined;
    if (upstash) closers.push(upstash.close);

    const control = await startControlServer(faults, "127.0.0.1", options.ports?.control ?? 0);
    closers.push(control.close);

    const info: StackInfo = {
      databaseUrl,
      neonHttpUrl: http.url,
      neonWsProxy: ws.address,
      upstashUrl: upstash?.url ?? null,
      upstashToken,
      controlUrl: control.url,
      pglite: Boolean(embedded),
    };
    return { info, faults, close };
  } catch (error) {
    await close();
    throw error;
  }
}
