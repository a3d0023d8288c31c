import { fileURLToPath } from "node:url";
import { redact } from "./logger.ts";
import { isLoopbackHost, postgresHosts, redisHosts } from "./loopback.ts";
import type { StackOptions } from "./stack.ts";

export const DEFAULT_PGLITE_DIR = fileURLToPath(new URL("../.data/pglite", import.meta.url));

/** A local server setting is no URL, or points at another machine without LOCAL_ALLOW_REMOTE=1. */
export class RemoteServerError extends Error {
  override name = "RemoteServerError";
}

function port(value: string | undefined): number | undefined {
  return value ? Number(value) : undefined;
}

function refuseRemote(name: string, url: string | undefined, hostsOf: (url: string) => string[]): void {
  if (!url) return;
  let hosts: string[];
  try {
    hosts = hostsOf(url);
  } catch {
    throw new RemoteServerError(`${name} is not a valid URL.`);
  }
  const remote = hosts.find((host) => !isLoopbackHost(host));
  if (remote === undefined) return;
  throw new RemoteServerError(
    `${name} points at ${remote} (${redact(url)}), not at this machine: set LOCAL_ALLOW_REMOTE=1 to use a remote server anyway.`,
  );
}

/**
 * Reads the stack's settings from the environment: LOCAL_DATABASE_URL and LOCAL_REDIS_URL choose
 * real servers (PGlite and no Redis otherwise); the *_PORT variables fix the ports (any free one
 * otherwise). DATABASE_URL (the Worker's secret, db:migrate's target) and REDIS_URL are never
 * read: a production URL left in a shell must not be migrated by starting the dev server. Servers
 * on another machine are refused with a RemoteServerError unless LOCAL_ALLOW_REMOTE=1.
 */
export function stackOptionsFromEnv(env: NodeJS.ProcessEnv): StackOptions {
  const databaseUrl = env.LOCAL_DATABASE_URL || undefined;
  const redisUrl = env.LOCAL_REDIS_URL || undefined;
  if (env.LOCAL_ALLOW_REMOTE !== "1") {
    refuseRemote("LOCAL_DATABASE_URL", databaseUrl, postgresHosts);
    refuseRemote("LOCAL_REDIS_URL", redisUrl, redisHosts);
  }
  return {
    databaseUrl,
    redisUrl,
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
