import { Redis } from "@upstash/redis/cloudflare";
import { inject } from "vitest";

/** A client of the stack's Upstash endpoint that fails fast instead of retrying for seconds. */
export function upstashClient(options: { automaticDeserialization?: boolean } = {}): Redis {
  const stack = inject("stack");
  return new Redis({ url: stack.upstashUrl!, token: stack.upstashToken!, retry: false, enableTelemetry: false, ...options });
}
