import type { Redis } from "../redis";

/** A response kept for replay: what a retry with the same key and body gets back. */
export interface StoredResponse {
  status: number;
  headers: Array<[name: string, value: string]>;
  body: string;
}

/** What Redis holds under one idempotency key: the first request's lock, then its response. */
export type IdempotencyRecord =
  | { state: "running"; fingerprint: string; token: string }
  | { state: "done"; fingerprint: string; response: StoredResponse };

export type Begun = { acquired: true; lock: Lock } | { acquired: false; record: IdempotencyRecord };

/** The lock one request holds: its exact value in Redis, which only it may replace or delete. */
export interface Lock {
  key: string;
  value: string;
}

/** What the store needs of the Upstash client. */
export type IdempotencyRedis = Pick<Redis, "set" | "eval">;

/**
 * Replaces the record at KEYS[1] with ARGV[2] for ARGV[3] ms (or deletes it when ARGV[2] is empty),
 * only while it still is the lock ARGV[1]: a request whose lock expired touches no other's.
 */
const SETTLE_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

/**
 * Idempotency records in Redis, one command each. Every method throws what Redis or the network
 * throws; the middleware decides what that means.
 */
export class IdempotencyStore {
  constructor(private readonly redis: IdempotencyRedis) {}

  /**
   * Takes the lock on `key` for `lockMs` unless a record is there (`SET NX GET`, one command): the
   * lock when it was free, else the record found (a request running, or its stored response).
   */
  async begin(key: string, fingerprint: string, lockMs: number): Promise<Begun> {
    const record: IdempotencyRecord = { state: "running", fingerprint, token: crypto.randomUUID() };
    const value = JSON.stringify(record);
    // A string value is sent as it is; the client parses the JSON of the record found.
    const found = (await this.redis.set(key, value, { nx: true, get: true, px: lockMs })) as IdempotencyRecord | null;
    return found ? { acquired: false, record: found } : { acquired: true, lock: { key, value } };
  }

  /** Stores the response in place of the lock for `ttlMs`; false when the lock was no longer ours. */
  async complete(lock: Lock, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<boolean> {
    const record: IdempotencyRecord = { state: "done", fingerprint, response };
    return (await this.#settle(lock, JSON.stringify(record), ttlMs)) === 1;
  }

  /** Deletes the lock, so a retry may run; nothing when it was no longer ours. */
  async release(lock: Lock): Promise<void> {
    await this.#settle(lock, "", 0);
  }

  #settle(lock: Lock, value: string, ttlMs: number): Promise<number> {
    return this.redis.eval<string[], number>(SETTLE_SCRIPT, [lock.key], [lock.value, value, String(ttlMs)]);
  }
}
