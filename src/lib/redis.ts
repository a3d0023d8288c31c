import { Redis, errors, type RedisConfigCloudflare, type UpstashRequest } from "@upstash/redis/cloudflare";
import type { Config } from "../env";
import type { DependencyGuard } from "./dependency-guard";
import { NO_TRACER, type Tracer } from "./tracing/tracer";

export type { Redis };

/** Per-command timeout: Redis only makes the API faster, so waiting long for it never pays. */
const COMMAND_TIMEOUT_MS = 1000;

export interface RedisOptions {
  /** Runs every request the client sends, a pipeline being one (the isolate's circuit breaker). */
  guard?: DependencyGuard;
  /** Records a client span per request the client sends (the request's tracer). */
  tracer?: Tracer;
}

const unguarded: DependencyGuard = { run: (call) => call() };

/** The only module that builds the Upstash client. Undefined when Upstash is not configured. */
export function createRedis(config: Config, { guard, tracer }: RedisOptions = {}): Redis | undefined {
  if (!config.UPSTASH_REDIS_REST_URL || !config.UPSTASH_REDIS_REST_TOKEN) return undefined;
  const settings: RedisConfigCloudflare = {
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    enableTelemetry: false,
    retry: { retries: 1, backoff: () => 50 },
    // One signal per request, retry included: a command waits at most this long in all.
    signal: () => AbortSignal.timeout(COMMAND_TIMEOUT_MS),
  };
  return guard || tracer ? new GuardedRedis(settings, guard ?? unguarded, tracer ?? NO_TRACER) : new Redis(settings);
}

/**
 * The Upstash client with every request run by `guard` and recorded by `tracer`. The client takes no
 * fetch of its own; its requester (the protected `client`, which commands, pipelines and scripts all
 * go through) is the one per-client place every call passes.
 */
class GuardedRedis extends Redis {
  constructor(settings: RedisConfigCloudflare, guard: DependencyGuard, tracer: Tracer) {
    super(settings);
    const requester = this.client;
    const send = requester.request.bind(requester);
    requester.request = <TResult>(request: UpstashRequest) => guard.run(() => tracedRequest(tracer, request, send<TResult>));
  }
}

/** One REST request as a client span, its `traceparent` sent along; command names only, never keys or values. */
async function tracedRequest<T>(tracer: Tracer, request: UpstashRequest, send: (request: UpstashRequest) => Promise<T>): Promise<T> {
  if (tracer === NO_TRACER) return send(request);
  const operation = operationName(request);
  const span = tracer.startCall(`redis ${operation}`, { "db.system.name": "redis", "db.operation.name": operation });
  let failed = true;
  try {
    const traceparent = span.traceparent;
    const result = await send(traceparent ? { ...request, headers: { ...request.headers, traceparent } } : request);
    failed = false;
    return result;
  } finally {
    span.end(failed);
  }
}

/** `GET` for a command, `PIPELINE` or `MULTI` for several in one request. */
function operationName(request: UpstashRequest): string {
  const kind = request.path?.[0];
  if (kind === "pipeline") return "PIPELINE";
  if (kind === "multi-exec") return "MULTI";
  const command = Array.isArray(request.body) ? request.body[0] : undefined;
  return typeof command === "string" && /^[A-Za-z.]{1,32}$/.test(command) ? command.toUpperCase() : "COMMAND";
}

/**
 * Whether a failed Upstash request means Redis is unavailable. The client reports a refused command
 * (HTTP 400) and a server error (5xx) alike, as an UpstashError with the body's message, so every
 * failure counts but NOSCRIPT, which @upstash/ratelimit answers by sending its script.
 */
export function isRedisFailure(error: unknown): boolean {
  return !(error instanceof errors.UpstashError && error.message.startsWith("NOSCRIPT"));
}
