import type { Redis } from "../redis";
import { familyKeys } from "./keys";
import { FILL_SCRIPT, INVALIDATE_SCRIPT, READ_SCRIPT } from "./scripts";

/** What the Redis tier needs of the Upstash client. */
export type ScriptRunner = Pick<Redis, "eval" | "evalsha">;

/** Longest a value may live in Redis; the version key outlives it (see FILL_SCRIPT). */
export const MAX_REDIS_TTL_SECONDS = 86_400;
const VERSION_TTL_MS = 2 * MAX_REDIS_TTL_SECONDS * 1000;

export type RedisRead =
  | { version: number; hit: true; value: unknown }
  | { version: number; hit: false; locked: boolean };

/**
 * The Redis tier's commands, each one round trip (one script). Values go in as JSON text and come
 * back parsed (the Upstash client parses replies). Every method throws what Redis or the network
 * throws: the caller treats it as a miss.
 */
export class RedisTier {
  constructor(
    private readonly redis: ScriptRunner,
    private readonly prefix: string,
  ) {}

  /** The value under the family's current version; on a miss, takes the fill lock for `lockMs` when asked (`lockMs` > 0). */
  async read(family: string, key: string, lock: { token: string; ms: number }): Promise<RedisRead> {
    const keys = familyKeys(this.prefix, family);
    const reply = await run<[number, 0 | 1, unknown]>(this.redis, READ_SCRIPT, [keys.version], [keys.valueBase, key, keys.lockBase, lock.token, String(lock.ms)]);
    const [version, hit, third] = reply;
    return hit === 1 ? { version, hit: true, value: third } : { version, hit: false, locked: third === 1 };
  }

  /** Stores `json` under `version` unless the family has moved on; releases the lock `token` holds. */
  async fill(family: string, key: string, version: number, json: string, ttlMs: number, token: string): Promise<boolean> {
    const keys = familyKeys(this.prefix, family);
    const stored = await run<number>(this.redis, FILL_SCRIPT, [keys.version], [keys.valueBase, key, keys.lockBase, String(version), json, String(ttlMs), token, String(VERSION_TTL_MS)]);
    return stored === 1;
  }

  /** One INCR (and its expiry): every value of the family is unreachable from now on. */
  async invalidate(family: string): Promise<number> {
    return run<number>(this.redis, INVALIDATE_SCRIPT, [familyKeys(this.prefix, family).version], [String(VERSION_TTL_MS)]);
  }
}

const digests = new Map<string, string>();

/** EVALSHA, and EVAL when Redis does not know the script yet (once per script and Redis). */
async function run<T>(redis: ScriptRunner, script: string, keys: string[], args: string[]): Promise<T> {
  const sha = await sha1Of(script);
  try {
    return (await redis.evalsha(sha, keys, args)) as T;
  } catch (error) {
    if (!(error instanceof Error) || !/noscript/i.test(error.message)) throw error;
    return (await redis.eval(script, keys, args)) as T;
  }
}

async function sha1Of(script: string): Promise<string> {
  let digest = digests.get(script);
  if (!digest) {
    // Computed by each request that finds none yet (a few, once per isolate), never awaited across requests.
    const buffer = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(script));
    digest = [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    digests.set(script, digest);
  }
  return digest;
}
