/**
 * A local Upstash Redis REST endpoint backed by a real Redis, speaking what @upstash/redis
 * and @upstash/ratelimit send: `POST /` (one command), `/pipeline`, `/multi-exec`, and the
 * URL form `GET /set/key/value`. Shapes and limits follow upstash.com/docs/redis/features/restapi.
 */

import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import { delayFor, type FaultSwitch } from "../faults.ts";
import { closeServer, listen, urlHost } from "../listen.ts";
import type { Logger } from "../logger.ts";
import { CommandRunner } from "./commands.ts";
import { renderError, renderResult, renderResults } from "./encoding.ts";
import { RedisPool, RedisUnavailableError, type RedisTarget } from "./resp-client.ts";
import { RedisError, type Arg } from "./resp.ts";

export { parseRedisUrl } from "./resp-client.ts";
export type { RedisTarget } from "./resp-client.ts";

/** Upstash's max request size for Free and Pay-as-you-go databases (docs: max_request_size_exceeded). */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface UpstashServerOptions {
  host?: string;
  /** 0 or absent: any free port. */
  port?: number;
  redis: RedisTarget;
  token: string;
  faults: FaultSwitch;
  logger: Logger;
  maxBodyBytes?: number;
}

export interface UpstashServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const ALLOWED_METHODS = new Set(["GET", "HEAD", "POST", "PUT"]);

/** An answer decided before any command runs. */
class Refusal {
  readonly status: number;
  readonly message: string;
  constructor(status: number, message: string) {
    this.status = status;
    this.message = message;
  }
}

type Route = { kind: "one"; command: Arg[] } | { kind: "pipeline" | "multi-exec"; commands: Arg[][] };

interface Context {
  runner: CommandRunner;
  faults: FaultSwitch;
  logger: Logger;
  tokenDigest: Buffer;
  maxBodyBytes: number;
}

export async function startUpstashServer(options: UpstashServerOptions): Promise<UpstashServer> {
  const host = options.host ?? "127.0.0.1";
  const pool = new RedisPool(options.redis, { logger: options.logger });
  const context: Context = {
    runner: new CommandRunner(pool),
    faults: options.faults,
    logger: options.logger,
    tokenDigest: digest(options.token),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
  const server = http.createServer((request, response) => {
    handle(request, response, context).catch((error: unknown) => {
      context.logger.error("Upstash request failed", { error: (error as Error).message });
      if (!response.headersSent) send(response, 500, renderError("ERR internal error of the local Upstash server"));
      else response.destroy();
    });
  });
  const port = await listen(server, host, options.port ?? 0);
  const url = `http://${urlHost(host)}:${port}`;
  options.logger.info("Upstash REST server listening", { url });
  // A closure, not a method: callers keep `close` detached from the object.
  const close = async () => {
    await Promise.all([closeServer(server), pool.close()]);
  };
  return { url, port, close };
}

async function handle(request: http.IncomingMessage, response: http.ServerResponse, context: Context): Promise<void> {
  const fault = context.faults.arrive("upstash");
  await delayFor(fault);
  if (fault.drop) {
    request.socket.destroy();
    return;
  }
  if (fault.errorStatus) {
    return send(response, fault.errorStatus, renderError(`ERR injected fault: HTTP ${fault.errorStatus}`));
  }
  const method = request.method ?? "GET";
  if (!ALLOWED_METHODS.has(method)) return send(response, 405, renderError("ERR Method Not Allowed"));
  const url = new URL(request.url ?? "/", "http://localhost");
  if (!authorized(request, url, context.tokenDigest)) return send(response, 401, renderError("Unauthorized"));
  const format = request.headers["upstash-response-format"];
  if (format !== undefined && format !== "json") {
    return send(response, 400, renderError("ERR Only the json response format is supported by the local server"));
  }
  const body = await readBody(request, context.maxBodyBytes);
  if (body === null) return send(response, 413, renderError("ERR max request size exceeded"));
  const route = parseRoute(method, url, body);
  if (route instanceof Refusal) return send(response, route.status, renderError(route.message));

  const base64 = String(request.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
  const aborted = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) aborted.abort();
  });
  try {
    if (route.kind === "one") {
      const reply = await context.runner.one(route.command, aborted.signal);
      send(response, reply instanceof RedisError ? 400 : 200, renderResult(reply, base64));
    } else if (route.kind === "pipeline") {
      send(response, 200, renderResults(await context.runner.pipeline(route.commands, aborted.signal), base64));
    } else {
      const replies = await context.runner.transaction(route.commands, aborted.signal);
      if (replies instanceof RedisError) send(response, 400, renderError(replies.message));
      else send(response, 200, renderResults(replies, base64));
    }
  } catch (error) {
    if (!(error instanceof RedisUnavailableError)) throw error;
    if (!aborted.signal.aborted) send(response, 503, renderError(`ERR Redis is unavailable: ${error.message}`));
  }
}

/** Bearer header or `_token` query parameter, compared in constant time. */
function authorized(request: http.IncomingMessage, url: URL, expected: Buffer): boolean {
  const header = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "");
  const token = header?.[1]?.trim() ?? url.searchParams.get("_token");
  return token !== null && timingSafeEqual(digest(token), expected);
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/** The body, or null when it is over the limit; an oversized body is still drained so the client reads the 413. */
function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(request.headers["content-length"]) > limit;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (tooLarge) chunks.length = 0;
      else chunks.push(chunk);
    });
    request.once("end", () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    request.once("error", reject);
    request.once("close", () => {
      if (!request.complete) reject(new Error("The client went away before sending the whole request"));
    });
  });
}

function parseRoute(method: string, url: URL, body: Buffer): Route | Refusal {
  let segments: string[];
  try {
    segments = url.pathname.split("/").slice(1).map(decodeURIComponent);
  } catch {
    return new Refusal(400, "ERR The URL path is not valid percent-encoding");
  }
  if (segments.at(-1) === "") segments.pop();
  const hasBody = method === "POST" || method === "PUT";
  const [first] = segments;
  if (segments.length === 1 && (first === "pipeline" || first === "multi-exec")) {
    if (!hasBody) return new Refusal(405, `ERR /${first} takes a POST request`);
    const parsed = parseJson(body);
    if (parsed instanceof Refusal) return parsed;
    if (!Array.isArray(parsed)) return new Refusal(400, "ERR The request body must be a JSON array of commands");
    const commands: Arg[][] = [];
    for (const entry of parsed) {
      const command = toCommand(entry);
      if (command instanceof Refusal) return command;
      commands.push(command);
    }
    return { kind: first, commands };
  }
  if (segments.length === 0) {
    if (!hasBody) return new Refusal(400, "ERR No command given: POST a JSON array or use /command/arg1/arg2");
    const parsed = parseJson(body);
    if (parsed instanceof Refusal) return parsed;
    const command = toCommand(parsed);
    return command instanceof Refusal ? command : { kind: "one", command };
  }
  // URL form: a POST body is the last argument, then query parameters as extra arguments.
  const command: Arg[] = [...segments];
  if (hasBody && body.length > 0) command.push(body);
  for (const [name, value] of url.searchParams) {
    if (name === "_token") continue;
    command.push(name);
    if (value !== "") command.push(value);
  }
  return { kind: "one", command };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return new Refusal(400, "ERR The request body is not valid JSON");
  }
}

function toCommand(value: unknown): Arg[] | Refusal {
  if (!Array.isArray(value) || value.length === 0) {
    return new Refusal(400, "ERR A command must be a non-empty JSON array: [command, ...arguments]");
  }
  const command: Arg[] = [];
  for (const arg of value) {
    if (typeof arg === "string") command.push(arg);
    else if (typeof arg === "number" || typeof arg === "boolean") command.push(String(arg));
    else return new Refusal(400, "ERR Command arguments must be strings, numbers or booleans");
  }
  return command;
}

function send(response: http.ServerResponse, status: number, json: string): void {
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(json) });
  response.end(json);
}
