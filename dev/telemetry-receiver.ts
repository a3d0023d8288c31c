import { createServer } from "node:http";
import { closeServer, listen } from "./listen.ts";

/** One POST the receiver took: where it went, its content type, its trace context and its body as text. */
export interface ReceivedPost {
  path: string;
  contentType: string | null;
  traceparent: string | null;
  body: string;
}

/** Posts kept at most, oldest dropped first; bodies past this size are refused (413). */
const MAX_POSTS = 1000;
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A stand-in for the services the Worker sends telemetry and mail to, for the tests: an OTLP/HTTP
 * collector (`POST <base>/v1/traces`), a Sentry ingest (`POST /api/<project>/envelope/`) and a mail
 * provider. It answers every
 * POST 200 and records it; `GET /received?prefix=/path` lists what came under a path, so each test
 * reads its own posts by giving its endpoint a path of its own.
 */
export async function startTelemetryReceiver(host = "127.0.0.1", port = 0) {
  const posts: ReceivedPost[] = [];
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://receiver");
    if (request.method === "GET" && url.pathname === "/received") {
      const prefix = url.searchParams.get("prefix") ?? "/";
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(posts.filter((post) => post.path.startsWith(prefix))));
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
    const header = (name: string) => (request.headers[name] as string | undefined) ?? null;
    posts.push({ path: url.pathname, contentType: header("content-type"), traceparent: header("traceparent"), body: Buffer.concat(chunks).toString("utf8") });
    if (posts.length > MAX_POSTS) posts.shift();
    response.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  const boundPort = await listen(server, host, port);
  return { url: `http://${host}:${boundPort}`, close: () => closeServer(server) };
}
