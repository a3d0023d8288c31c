/**
 * Neon's WebSocket proxy (what `Pool` and `Client` of @neondatabase/serverless open when
 * `neonConfig.wsProxy` points here): pipes the Postgres wire protocol between binary
 * WebSocket frames and the target's TCP port.
 *
 * Clients must set `neonConfig.pipelineConnect = false`: the driver's default "password"
 * pipelining sends a password before being asked for one, which trust auth (and PGlite) reject.
 */
import { createServer, type IncomingMessage } from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { delayFor, type FaultSwitch } from "../faults.ts";
import type { Logger } from "../logger.ts";
import { closeServer, listen } from "../listen.ts";
import { TerminateDetector } from "./terminate-detector.ts";
import type { PgTarget, RunningServer } from "./types.ts";

export interface NeonWsProxyOptions {
  host?: string;
  port?: number;
  target: PgTarget;
  faults: FaultSwitch;
  logger: Logger;
}

const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;
/** PGlite keeps its side open after Terminate; this long is enough for PostgreSQL to close first. */
const CLOSE_GRACE_MS = 2_000;

export async function startNeonWsProxy(
  options: NeonWsProxyOptions,
): Promise<RunningServer & { address: string }> {
  const { host = "127.0.0.1", port = 0, target, faults, logger } = options;
  const wss = new WebSocketServer({ noServer: true });
  const open = new Set<{ ws: WebSocket; tcp: net.Socket }>();

  const server = createServer((_req, res) => {
    res.writeHead(426, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ message: "expected a WebSocket upgrade" }));
  });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {}); // a client vanishing during the injected latency is not our error
    const fault = faults.arrive("neonWs");
    void delayFor(fault).then(() => {
      if (fault.drop) return void socket.destroy();
      if (fault.errorStatus) return refuse(socket, fault.errorStatus);
      wss.handleUpgrade(req, socket, head, (ws) => {
        // No open proxy: whatever `?address=` asks for, only the configured target is reached.
        const tcp = net.connect({ host: target.host, port: target.port });
        const connection = { ws, tcp };
        open.add(connection);
        tcp.on("close", () => open.delete(connection));
        pipe(ws, tcp, logger);
      });
    });
  });

  const boundPort = await listen(server, host, port);
  const address = `127.0.0.1:${boundPort}/v2`;
  logger.info("Neon WebSocket proxy listening", { address, target: `${target.host}:${target.port}` });
  return {
    url: `ws://${address}`,
    port: boundPort,
    address,
    async close() {
      for (const { ws, tcp } of open) {
        ws.terminate();
        tcp.destroy();
      }
      open.clear();
      wss.close();
      await closeServer(server);
    },
  };
}

function refuse(socket: Duplex, status: number) {
  const body = JSON.stringify({ message: `injected fault: HTTP ${status}` });
  socket.end(
    `HTTP/1.1 ${status} Injected Fault\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function pipe(ws: WebSocket, tcp: net.Socket, logger: Logger) {
  const detector = new TerminateDetector();
  tcp.setNoDelay(true);

  // Ends our side gracefully, and gives up on a server that never closes its own (PGlite).
  const endTcp = () => {
    if (tcp.destroyed) return;
    tcp.end();
    setTimeout(() => tcp.destroy(), CLOSE_GRACE_MS).unref();
  };

  ws.on("message", (data: RawData, isBinary: boolean) => {
    if (!isBinary) {
      ws.close(1003, "unexpected text message in the websocket");
      return void tcp.destroy();
    }
    if (!tcp.writable) return;
    const chunk = data as Buffer;
    const terminated = detector.push(chunk);
    // Writes made while still connecting are queued by net.Socket and flushed on connect.
    if (!tcp.write(chunk) && !ws.isPaused) {
      ws.pause();
      tcp.once("drain", () => ws.resume());
    }
    // The driver never closes its side after Terminate, so Client.end() would wait forever.
    if (terminated) {
      endTcp();
      ws.close(1000);
    }
  });
  ws.on("close", endTcp);
  ws.on("error", (error) => {
    logger.warn("WebSocket client failed", { error: error.message });
    tcp.destroy();
  });

  tcp.on("data", (chunk: Buffer) => {
    detector.serverSent(chunk);
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(chunk, { binary: true }, () => {
      if (tcp.isPaused() && ws.bufferedAmount < LOW_WATER_BYTES) tcp.resume();
    });
    if (ws.bufferedAmount > HIGH_WATER_BYTES) tcp.pause();
  });
  tcp.on("error", (error) => logger.warn("PostgreSQL connection failed", { error: error.message }));
  tcp.on("close", (hadError) => {
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
      ws.close(hadError ? 1011 : 1000, hadError ? "database connection failed" : undefined);
    }
  });
}
