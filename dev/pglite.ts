import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { Logger } from "./logger.ts";

export interface EmbeddedPostgres {
  host: string;
  port: number;
  /** PGlite ignores user, password and database name; this one is what clients are given. */
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * Runs PostgreSQL in-process (PGlite) behind a wire-protocol socket, so the Neon endpoints and
 * migrations reach it exactly as they reach a real server. `dataDir` undefined keeps it in memory.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; logger: Logger }): Promise<EmbeddedPostgres> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  // PGlite funnels every connection into its one session; a few connections let the HTTP
  // endpoint and a WebSocket client coexist, at the price of shared session state.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 8 });
  await server.start();
  const [host = "127.0.0.1", port = "0"] = server.getServerConn().split(":");
  options.logger.info("PGlite started", { dataDir: options.dataDir ?? "memory", port: Number(port) });
  return {
    host,
    port: Number(port),
    databaseUrl: `postgres://postgres@${host}:${port}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
