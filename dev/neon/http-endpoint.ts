/**
 * Neon's SQL-over-HTTP endpoint (what `neon()` and drizzle-orm/neon-http call when
 * `neonConfig.fetchEndpoint` points here), backed by a real PostgreSQL through `pg`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { delayFor, type FaultSwitch } from "../faults.ts";
import type { Logger } from "../logger.ts";
import {
  batchResponseHeaders,
  errorBody,
  HttpError,
  NEON_MAX_BODY_BYTES,
  parseConnectionString,
  parseHeaderOptions,
  parsePayload,
} from "./http-protocol.ts";
import { closeServer, listen, urlHost } from "../listen.ts";
import { PgPools } from "./pg-pools.ts";
import { runPayload } from "./sql-runner.ts";
import type { PgTarget, RunningServer } from "./types.ts";

export interface NeonHttpEndpointOptions {
  host?: string;
  port?: number;
  target: PgTarget;
  faults: FaultSwitch;
  logger: Logger;
  /** Largest accepted request body; Neon's default is 10 MiB. */
  maxBodyBytes?: number;
  /** Largest result before answering 507; Neon's default is 10 MiB. */
  maxResponseBytes?: number;
}

// The preflight answer of neon's proxy/src/serverless/mod.rs.
const PREFLIGHT_HEADERS = {
  Allow: "OPTIONS, POST",
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers":
    "Authorization, Neon-Connection-String, Neon-Raw-Text-Output, Neon-Array-Mode, Neon-Pool-Opt-In, Neon-Batch-Read-Only, Neon-Batch-Isolation-Level",
  "Access-Control-Max-Age": "86400",
};

export async function startNeonHttpEndpoint(options: NeonHttpEndpointOptions): Promise<RunningServer> {
  const { host = "127.0.0.1", port = 0, target, faults, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? NEON_MAX_BODY_BYTES;
  const maxResponseBytes = options.maxResponseBytes ?? NEON_MAX_BODY_BYTES;
  const pools = new PgPools(target, logger);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const fault = faults.arrive("neonHttp");
    await delayFor(fault);
    if (fault.drop) return void req.socket.destroy();
    if (fault.errorStatus) {
      return send(res, fault.errorStatus, errorBody(`injected fault: HTTP ${fault.errorStatus}`));
    }

    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/sql" && req.method === "OPTIONS") {
      return void res.writeHead(200, PREFLIGHT_HEADERS).end();
    }
    if (path !== "/sql" || req.method !== "POST") {
      return send(res, 400, { message: "query is not supported" });
    }

    const credentials = parseConnectionString(req.headers, target.defaultUser);
    const headerOptions = parseHeaderOptions(req.headers);
    const payload = parsePayload(await readBody(req, maxBodyBytes));
    const result = await runPayload(pools.get(credentials), payload, {
      ...headerOptions,
      maxResponseBytes,
    });
    const extraHeaders = payload.batch ? batchResponseHeaders(req.headers, headerOptions) : {};
    send(res, 200, result, extraHeaders);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status >= 500) logger.warn("SQL-over-HTTP request failed", { error: error.message });
        return send(res, error.status, errorBody(error.message, error.database));
      }
      logger.error("SQL-over-HTTP endpoint failed", { error: String(error) });
      send(res, 500, errorBody("internal error"));
    });
  });

  const boundPort = await listen(server, host, port);
  const url = `http://${urlHost(host)}:${boundPort}/sql`;
  logger.info("Neon SQL-over-HTTP endpoint listening", { url, target: `${target.host}:${target.port}` });
  return {
    url,
    port: boundPort,
    async close() {
      await closeServer(server);
      await pools.close();
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(json),
    "Access-Control-Allow-Origin": "*",
    ...headers,
  });
  res.end(json);
}

/** Reads the body up to the limit; past it, answers 413 like Neon and discards the rest. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () => new HttpError(413, `request is too large (max is ${limit} bytes)`);
  if (Number(req.headers["content-length"]) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // Keep draining so the client can still read the 413 instead of seeing a reset.
      req.off("data", onData).resume();
      reject(tooLarge());
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
