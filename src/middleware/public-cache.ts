import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { ifNoneMatchMatches, notModified } from "../lib/http/entity-tags";
import { describeError } from "../lib/log-redaction";
import { requestLog } from "./logger";

export interface PublicCacheOptions {
  /** Exact request paths whose answers are the same for everyone (JWKS, the OpenAPI document). */
  paths: readonly string[];
  /** Part of every key, so a deploy or an API version never serves what the last one stored. */
  version: (c: Context<AppEnv>) => string;
  /** The Cache API's default cache unless a test passes its own. */
  cache?: () => Cache;
}

/** The headers a stored answer keeps: what describes the document, nothing of the request that made it. */
const STORED_HEADERS = ["Cache-Control", "Content-Type", "Content-Language", "ETag", "Expires", "Last-Modified"] as const;

/** After the cache fails (it is absent on workerd without a cache service), how long to leave it alone. */
const UNAVAILABLE_RETRY_MS = 60_000;

/**
 * Serves public GETs (and HEADs) from the Workers Cache API (`caches.default`), and stores an answer
 * after a miss with `waitUntil`, so the response does not wait for it. Only for the listed paths,
 * and only when it is safe for a shared cache:
 * - a request with `Authorization` or `Cookie` is neither served from the cache nor stored;
 * - an answer is stored only if it is 200, its `Cache-Control` says `public` and neither `private`,
 *   `no-store` nor `no-cache`, and it sets no cookie;
 * - what is stored keeps only the headers that describe the document (STORED_HEADERS): no request
 *   id, trace, rate-limit or CORS header of the request that filled it;
 * - the key is the path alone (no query, no request header) plus `version`.
 * A hit carries this request's own request id and trace (the outer middleware add them to a copy:
 * the Cache API's response has immutable headers) and answers `If-None-Match` with a 304 itself.
 * When the cache fails, the request is answered as a miss, and the cache is left alone for a minute.
 */
export function publicCache({ paths, version, cache = () => caches.default }: PublicCacheOptions): MiddlewareHandler<AppEnv> {
  const cached = new Set(paths);
  let unavailableUntil = 0;
  return async function publicCache(c, next) {
    const method = c.req.method;
    if ((method !== "GET" && method !== "HEAD") || !cached.has(c.req.path)) return next();
    if (c.req.header("Authorization") !== undefined || c.req.header("Cookie") !== undefined) return next();
    const now = c.get("services").clock();
    if (now < unavailableUntil) return next();

    const key = publicCacheKey(c.req.url, version(c));
    const markUnavailable = (error: unknown) => {
      unavailableUntil = c.get("services").clock() + UNAVAILABLE_RETRY_MS;
      requestLog(c).warn("cache api failed; answering without it", { error: describeError(error) });
    };
    let hit: Response | undefined;
    try {
      hit = await cache().match(key);
    } catch (error) {
      markUnavailable(error);
      return next();
    }
    if (hit) {
      const etag = hit.headers.get("ETag");
      if (etag !== null && ifNoneMatchMatches(c.req.header("If-None-Match"), etag)) {
        await hit.body?.cancel();
        return notModified(hit);
      }
      // A copy: the outer middleware set this request's headers on it.
      return new Response(hit.body, { status: hit.status, headers: hit.headers });
    }

    await next();
    const response = c.res;
    if (!isStorable(response)) return;
    const stored = storedCopy(response.clone());
    c.executionCtx.waitUntil(cache().put(key, stored).catch(markUnavailable));
  };
}

/**
 * The key an answer to `url` is stored under: its origin and path, with `version` as the only query.
 * @example publicCacheKey("https://api.example.com/v1/openapi.json?x=1", "1.0.0+abc") // "https://api.example.com/v1/openapi.json?cache-version=1.0.0%2Babc"
 */
export function publicCacheKey(url: string, version: string): string {
  const { origin, pathname } = new URL(url);
  return `${origin}${pathname}?cache-version=${encodeURIComponent(version)}`;
}

/** Whether a shared cache may keep this answer and give it to anyone. */
export function isStorable(response: Response): boolean {
  if (response.status !== 200 || !response.body || response.headers.has("Set-Cookie")) return false;
  const directives = (response.headers.get("Cache-Control") ?? "").toLowerCase().split(",").map((directive) => directive.trim().split("=")[0]);
  return directives.includes("public") && !directives.some((directive) => directive === "private" || directive === "no-store" || directive === "no-cache");
}

function storedCopy(response: Response): Response {
  const headers = new Headers();
  for (const name of STORED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(response.body, { status: 200, headers });
}
