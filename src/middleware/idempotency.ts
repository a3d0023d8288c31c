import type { Context, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../lib/app-env";
import { ApiError, DEPENDENCY_RETRY_AFTER_SECONDS } from "../lib/errors";
import { isJson } from "../lib/http/media-types";
import { IdempotencyStore, type IdempotencyRecord, type Lock, type StoredResponse } from "../lib/idempotency/store";
import { requestLog } from "./logger";

export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
export const IDEMPOTENCY_REPLAYED_HEADER = "Idempotency-Replayed";

/** 1 to 255 printable ASCII characters (a UUID is the usual choice). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** How long a response is replayed for a retry: 24 hours. */
export const IDEMPOTENCY_TTL_SECONDS = 86_400;
/**
 * How long the first request holds its key: longer than any request runs (a database call is bounded
 * by 30 s at most), short enough that a request whose isolate died does not block its retries long.
 */
export const IDEMPOTENCY_LOCK_SECONDS = 60;
/** What a concurrent duplicate is told to wait: the first request mostly answers within it. */
const IN_USE_RETRY_AFTER_SECONDS = 1;
/** Longer answers (in UTF-16 units) are not kept: Redis values are bounded, and a POST answers with a resource or a few. */
export const MAX_STORED_BODY_LENGTH = 512 * 1024;
/** The headers of an answer a replay repeats; the outer middleware set the rest on every answer. */
const REPLAYED_HEADERS = ["Content-Type", "Location", "Content-Location", "ETag", "Last-Modified", "Cache-Control"];

/**
 * Honours `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header) on the route it guards, after
 * authentication and the permission check. The first request with a key takes a lock in Redis and
 * runs; its answer is stored for 24 hours and replayed, with `Idempotency-Replayed: true`, to a retry
 * with the same key and body. The same key with another body is 422 IDEMPOTENCY_KEY_REUSED; a
 * duplicate while the first still runs is 409 IDEMPOTENCY_KEY_IN_USE with `Retry-After`. A 5xx or a
 * thrown error (every problem but a handler's own answer) stores nothing and frees the key for a
 * retry. Keys are per caller, workspace, method and path. Without Redis (down, or not configured) a
 * request that asks for idempotency is refused with 503 rather than run unprotected; a request
 * without the header is not touched.
 *
 * Redis commands per request with a key: 2 for the first (SET NX GET, then the stored answer or the
 * lock's release in one script), 1 for a replay, a mismatch or a concurrent duplicate.
 */
export function idempotency(): MiddlewareHandler<AppEnv> {
  return async function idempotency(c, next) {
    const key = c.req.header(IDEMPOTENCY_KEY_HEADER);
    if (key === undefined) return next();
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) throw new ApiError("BAD_REQUEST", { detail: "idempotencyKeyInvalid" });
    const contentType = c.req.header("Content-Type");
    // Only JSON bodies (bounded by MAX_BODY_BYTES) are read here; an upload streams past untouched.
    if (c.req.raw.body && contentType !== undefined && !isJson(contentType)) throw new ApiError("BAD_REQUEST", { detail: "idempotencyKeyBody" });
    const fingerprint = await sha256Hex(await c.req.arrayBuffer());
    const { redis } = c.var.services;
    if (!redis) throw unavailable();
    const store = new IdempotencyStore(redis);
    const recordKey = `${c.var.config.REDIS_KEY_PREFIX}idempotency:${await scopeOf(c, key)}`;

    let begun;
    try {
      begun = await store.begin(recordKey, fingerprint, IDEMPOTENCY_LOCK_SECONDS * 1000);
    } catch (error) {
      throw unavailable(error);
    }
    if (!begun.acquired) return answerExisting(c, begun.record, fingerprint);

    await next();
    await settle(c, store, begun.lock, fingerprint);
  };
}

function unavailable(cause?: unknown): ApiError {
  return new ApiError("SERVICE_UNAVAILABLE", { retryAfter: DEPENDENCY_RETRY_AFTER_SECONDS, cause });
}

/** Who asks, where, and what: a key means nothing outside its caller, workspace, method and path. */
async function scopeOf(c: Context<AppEnv>, key: string): Promise<string> {
  const { apiKey, auth, workspace } = c.var;
  const actor = apiKey ? `apiKey:${apiKey.keyId}` : auth ? `user:${auth.userId}` : "anonymous";
  const scope = JSON.stringify([actor, workspace?.workspaceId ?? null, c.req.method, c.req.path, key]);
  return sha256Hex(new TextEncoder().encode(scope));
}

function answerExisting(c: Context<AppEnv>, record: IdempotencyRecord, fingerprint: string): Response {
  if (record.fingerprint !== fingerprint) throw new ApiError("IDEMPOTENCY_KEY_REUSED");
  if (record.state === "running") throw new ApiError("IDEMPOTENCY_KEY_IN_USE", { retryAfter: IN_USE_RETRY_AFTER_SECONDS });
  const { status, headers, body } = record.response;
  const replayed = new Headers(headers);
  replayed.set(IDEMPOTENCY_REPLAYED_HEADER, "true");
  const init = Object.fromEntries(replayed);
  return body === "" ? c.body(null, status as ContentfulStatusCode, init) : c.body(body, status as ContentfulStatusCode, init);
}

/** Stores the answer in place of the lock, or frees the key when the answer is not one to repeat. */
async function settle(c: Context<AppEnv>, store: IdempotencyStore, lock: Lock, fingerprint: string): Promise<void> {
  const stored = c.error || c.res.status >= 500 ? undefined : await storable(c.res);
  try {
    if (stored) {
      if (!(await store.complete(lock, fingerprint, stored, IDEMPOTENCY_TTL_SECONDS * 1000))) {
        requestLog(c).warn("idempotency: lock expired before the answer was stored");
      }
    } else {
      if (!c.error && c.res.status < 500) requestLog(c).warn("idempotency: answer not kept (not JSON, or too long); a retry runs again", { status: c.res.status });
      await store.release(lock);
    }
  } catch (error) {
    // The change is made and its answer is the client's; a retry waits for the lock to expire, then runs.
    requestLog(c).warn("idempotency: redis failed after the request ran", { operation: stored ? "complete" : "release", error });
  }
}

/** The answer as a replay repeats it, or undefined when it cannot be kept (not JSON, or too large). */
async function storable(response: Response): Promise<StoredResponse | undefined> {
  const contentType = response.headers.get("Content-Type");
  if (response.body && !isJson(contentType)) return undefined;
  const body = response.body ? await response.clone().text() : "";
  if (body.length > MAX_STORED_BODY_LENGTH) return undefined;
  const headers: Array<[string, string]> = [];
  for (const name of REPLAYED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers.push([name, value]);
  }
  return { status: response.status, headers, body };
}

async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
