import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer, listen } from "./listen.ts";

/** What a recording server keeps of each POST: at least where it went. */
export interface Recorded {
  path: string;
}

export interface RecordingServerOptions<T extends Recorded> {
  /** Bodies past this size are refused (413). */
  maxBodyBytes: number;
  /** Posts kept at most, oldest dropped first. */
  maxRecords: number;
  /** What to keep of a POST and how to answer it. */
  record(request: IncomingMessage, url: URL, body: string): { kept: T; answer: (response: ServerResponse) => void };
}

/**
 * A stand-in server for tests, on loopback: records every POST as `record` says, and lists them at
 * `GET /received?prefix=/path`, so each test reads its own by giving its requests a path of their own.
 */
export async function startRecordingServer<T extends Recorded>({ maxBodyBytes, maxRecords, record }: RecordingServerOptions<T>, host = "127.0.0.1", port = 0) {
  const records: T[] = [];
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://receiver");
    if (request.method === "GET" && url.pathname === "/received") {
      const prefix = url.searchParams.get("prefix") ?? "/";
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(records.filter((kept) => kept.path.startsWith(prefix))));
      return;
    }
    if (request.method !== "POST") return void response.writeHead(405).end();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > maxBodyBytes) return void response.writeHead(413).end();
      chunks.push(chunk);
    }
    const { kept, answer } = record(request, url, Buffer.concat(chunks).toString("utf8"));
    records.push(kept);
    if (records.length > maxRecords) records.shift();
    answer(response);
  });
  const boundPort = await listen(server, host, port);
  return { url: `http://${host}:${boundPort}`, close: () => closeServer(server) };
}
