import { createServer } from "node:http";
import { closeServer, listen } from "./listen.ts";

/** One webhook the receiver took: its path, its Standard Webhooks headers and its body as text. */
export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Requests kept at most, oldest dropped first; bodies past this size are refused (413). */
const MAX_REQUESTS = 1000;
const MAX_BODY_BYTES = 256 * 1024;
const KEPT_HEADERS = ["content-type", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature"];
/** `/status/<code>/…` answers with that status; a 3xx points at `/redirected/…`, which records like any path. */
const STATUS_PATH = /^\/status\/([1-5][0-9]{2})\//;

/**
 * A receiver for outbound webhook tests, on loopback: records every POST, and answers with the
 * status its path names (`/status/503/<test>`; 200 otherwise). `GET /received?prefix=/path` lists
 * what came under a path, so each test reads its own by giving its endpoints a path of their own.
 */
export async function startWebhookReceiver(host = "127.0.0.1", port = 0) {
  const requests: ReceivedWebhook[] = [];
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://receiver");
    if (request.method === "GET" && url.pathname === "/received") {
      const prefix = url.searchParams.get("prefix") ?? "/";
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(requests.filter((received) => received.path.startsWith(prefix))));
      return;
    }
    if (request.method !== "POST") return void response.writeHead(405).end();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > MAX_BODY_BYTES) return void response.writeHead(413).end();
      chunks.push(chunk);
    }
    const headers = Object.fromEntries(KEPT_HEADERS.flatMap((name) => (typeof request.headers[name] === "string" ? [[name, request.headers[name] as string]] : [])));
    requests.push({ path: url.pathname, headers, body: Buffer.concat(chunks).toString("utf8") });
    if (requests.length > MAX_REQUESTS) requests.shift();
    const status = Number(STATUS_PATH.exec(url.pathname)?.[1] ?? 200);
    const location = status >= 300 && status < 400 ? { location: `/redirected${url.pathname}` } : {};
    response.writeHead(status, { "content-type": "text/plain", ...location }).end(status >= 400 ? `receiver answered ${status}` : "ok");
  });
  const boundPort = await listen(server, host, port);
  return { url: `http://${host}:${boundPort}`, close: () => closeServer(server) };
}
