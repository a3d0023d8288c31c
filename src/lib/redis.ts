import { Redis } from "@upstash/redis/cloudflare";
import type { Config } from "../env";

export type { Redis };

/** Per-command timeout: Redis only makes the API faster, so waiting long for it never pays. */
const COMMAND_TIMEOUT_MS = 1000;

/** The only module that builds the Upstash client. Undefined when Upstash is not configured. */
export function createRedis(config: Config): Redis | undefined {
  if (!config.UPSTASH_REDIS_REST_URL || !config.UPSTASH_REDIS_REST_TOKEN) return undefined;
  return new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    enableTelemetry: false,
    retry: { retries: 1, backoff: () => 50 },
    signal: () => AbortSignal.timeout(COMMAND_TIMEOUT_MS),
  });
}
