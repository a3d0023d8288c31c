import { fileURLToPath } from "node:url";
import type { StackOptions } from "./stack.ts";

export const DEFAULT_PGLITE_DIR = fileURLToPath(new URL("../.data/pglite", import.meta.url));

function port(value: string | undefined): number | undefined {
  return value ? Number(value) : undefined;
}

/**
 * Reads the stack's settings from the environment: DATABASE_URL and REDIS_URL choose real
 * servers (PGlite and no Redis otherwise); the *_PORT variables fix the ports (any free one otherwise).
 */
export function stackOptionsFromEnv(env: NodeJS.ProcessEnv): StackOptions {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    pgliteDataDir: env.PGLITE_DATA_DIR === "memory" ? undefined : (env.PGLITE_DATA_DIR ?? DEFAULT_PGLITE_DIR),
    upstashToken: env.UPSTASH_TOKEN || undefined,
    ports: {
      neonHttp: port(env.NEON_HTTP_PORT),
      neonWs: port(env.NEON_WS_PORT),
      upstash: port(env.UPSTASH_PORT),
      control: port(env.STACK_CONTROL_PORT),
    },
  };
}
