import { startRecordingServer } from "./recording-server.ts";

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
  return startRecordingServer<ReceivedWebhook>(
    {
      maxBodyBytes: MAX_BODY_BYTES,
      maxRecords: MAX_REQUESTS,
      record(request, url, body) {
        const headers = Object.fromEntries(KEPT_HEADERS.flatMap((name) => (typeof request.headers[name] === "string" ? [[name, request.headers[name] as string]] : [])));
        const status = Number(STATUS_PATH.exec(url.pathname)?.[1] ?? 200);
        const location = status >= 300 && status < 400 ? { location: `/redirected${url.pathname}` } : {};
        return {
          kept: { path: url.pathname, headers, body },
          answer: (response) => response.writeHead(status, { "content-type": "text/plain", ...location }).end(status >= 400 ? `receiver answered ${status}` : "ok"),
        };
      },
    },
    host,
    port,
  );
}
