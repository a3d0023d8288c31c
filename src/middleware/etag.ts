import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { readPrefix } from "../lib/http/body-prefix";
import { entityTagOf, ifNoneMatchMatches, notModified } from "../lib/http/entity-tags";
import { isJson } from "../lib/http/media-types";

export interface EtagOptions {
  /** Bodies longer than this get no tag: hashing them would mean holding them whole. */
  maxBodyBytes?: number;
}

/** Every JSON answer we build fits: the OpenAPI document is the largest, some tens of kilobytes. */
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Gives a successful (200) JSON answer to a GET or HEAD a strong `ETag`, a hash of its body, and
 * answers 304 without a body when the request's `If-None-Match` names it (see `ifNoneMatchMatches`).
 * A tag the route set itself is kept. Bodies past `maxBodyBytes`, encoded ones and every other
 * answer pass untouched. Mounted after liveness: `/health` pays nothing for it.
 */
export function etag({ maxBodyBytes = DEFAULT_MAX_BODY_BYTES }: EtagOptions = {}): MiddlewareHandler<AppEnv> {
  return async function etag(c, next) {
    await next();
    const method = c.req.method;
    const response = c.res;
    if ((method !== "GET" && method !== "HEAD") || response.status !== 200 || !response.body) return;
    const headers = response.headers;
    if (headers.has("Content-Encoding") || !isJson(headers.get("Content-Type"))) return;
    let tag = headers.get("ETag");
    if (tag === null) {
      const { bytes, complete, body } = await readPrefix(response.body, maxBodyBytes);
      if (!complete) {
        c.res = undefined;
        c.res = new Response(body, response);
        return;
      }
      tag = await entityTagOf(bytes);
      const tagged = new Response(bytes, response);
      tagged.headers.set("ETag", tag);
      // Known now: compression need not read a short body again to learn it is short.
      tagged.headers.set("Content-Length", String(bytes.byteLength));
      // Unset first: Hono's setter would otherwise copy the old headers onto the new response itself.
      c.res = undefined;
      c.res = tagged;
    }
    if (ifNoneMatchMatches(c.req.header("If-None-Match"), tag)) {
      const unchanged = notModified(c.res);
      await c.res.body?.cancel();
      c.res = undefined;
      c.res = unchanged;
    }
  };
}
