import { Redis, errors, type RedisConfigCloudflare, type UpstashRequest } from "@upstash/redis/cloudflare";
import type { Config } from "../env";
import type { DependencyGuard } from "./dependency-guard";

export type { Redis };

/** Per-command timeout: Redis only makes the API faster, so waiting long for it never pays. */
const COMMAND_TIMEOUT_MS = 1000;

export interface RedisOptions {
  /** Runs every request the client sends, a pipeline being one (the isolate's circuit breaker). */
  guard?: DependencyGuard;
}

/** The only module that builds the Upstash client. Undefined when Upstash is not configured. */
export function createRedis(config: Config, { guard }: RedisOptions = {}): Redis | undefined {
  if (!config.UPSTASH_REDIS_REST_URL || !config.UPSTASH_REDIS_REST_TOKEN) return undefined;
  const settings: RedisConfigCloudflare = {
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    enableTelemetry: false,
    retry: { retries: 1, backoff: () => 50 },
    // One signal per request, retry included: a command waits at most this long in all.
    signal: () => AbortSignal.timeout(COMMAND_TIMEOUT_MS),
  };
  return guard ? new GuardedRedis(settings, guard) : new Redis(settings);
}

/**
 * The Upstash client with every request run by `guard`. The client takes no fetch of its own; its
 * requester (the protected `client`, which commands, pipelines and scripts all go through) is the
 * one per-client place every call passes.
 */
class GuardedRedis extends Redis {
  constructor(settings: RedisConfigCloudflare, guard: DependencyGuard) {
    super(settings);
    const requester = this.client;
    const send = requester.request.bind(requester);
    requester.request = <TResult>(request: UpstashRequest) => guard.run(() => send<TResult>(request));
  }
}

/**
 * Whether a failed Upstash request means Redis is unavailable. The client reports a refused command
 * (HTTP 400) and a server error (5xx) alike, as an UpstashError with the body's message, so every
 * failure counts but NOSCRIPT, which @upstash/ratelimit answers by sending its script.
 */
export function isRedisFailure(error: unknown): boolean {
  return !(error instanceof errors.UpstashError && error.message.startsWith("NOSCRIPT"));
}
