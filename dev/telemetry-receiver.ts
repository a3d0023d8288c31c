import { startRecordingServer } from "./recording-server.ts";

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
  return startRecordingServer<ReceivedPost>(
    {
      maxBodyBytes: MAX_BODY_BYTES,
      maxRecords: MAX_POSTS,
      record(request, url, body) {
        const header = (name: string) => (request.headers[name] as string | undefined) ?? null;
        return {
          kept: { path: url.pathname, contentType: header("content-type"), traceparent: header("traceparent"), body },
          answer: (response) => response.writeHead(200, { "content-type": "application/json" }).end("{}"),
        };
      },
    },
    host,
    port,
  );
}
