import type { Context, MiddlewareHandler } from "hono";
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
 *
 * A body the handler made with `c.json` is hashed as it is made (see `hashedJson`): no reading it
 * back from the response's stream and no response built anew, which cost more than the hash. Any
 * other body is read back. Unless the handler gave `c.json` a type or an encoding of its own, its
 * answer is known to be unencoded JSON, and the runtime is asked only its status and any tag the
 * route set: each question is a call into workerd on every JSON GET.
 */
export function etag({ maxBodyBytes = DEFAULT_MAX_BODY_BYTES }: EtagOptions = {}): MiddlewareHandler<AppEnv> {
  return async function etag(c, next) {
    const method = c.req.method;
    if (method !== "GET" && method !== "HEAD") return next();
    const made = hashedJson(c);
    await next();
    const response = c.res;
    const madeByJson = made.response === response;
    if (response.status !== 200) return;
    if (!madeByJson || !made.plainJson) {
      if (!response.body) return;
      const headers = response.headers;
      if (headers.has("Content-Encoding") || !isJson(headers.get("Content-Type"))) return;
    }
    let tag = response.headers.get("ETag");
    if (tag === null && madeByJson) {
      if (made.byteLength > maxBodyBytes) return;
      tag = await made.tag!;
      response.headers.set("ETag", tag);
    } else if (tag === null) {
      const { bytes, complete, body } = await readPrefix(response.body!, maxBodyBytes);
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

interface HashedJson {
  /** The response `c.json` made last, if it made one. */
  response?: Response;
  byteLength: number;
  /** Its body's entity tag, hashed from the bytes as they were made. */
  tag?: Promise<string>;
  /** Whether it is JSON as `c.json` makes it: the handler named no type or encoding of its own. */
  plainJson: boolean;
}

const encoder = new TextEncoder();

/**
 * Replaces this request's `c.json` with one that answers the same (Hono's own default Content-Type,
 * the handler's status and headers) and keeps what the ETag needs: the response, its length (stated
 * in `Content-Length`, which compression reads too) and its hash, begun on the bytes before the
 * response holds them.
 */
function hashedJson(c: Context<AppEnv>): HashedJson {
  const made: HashedJson = { byteLength: 0, plainJson: false };
  const json = (object: unknown, arg?: number | ResponseInit, headers?: Record<string, string | string[]>) => {
    const bytes = encoder.encode(JSON.stringify(object));
    made.tag = entityTagOf(bytes);
    made.byteLength = bytes.byteLength;
    made.plainJson = (typeof arg !== "object" || arg.headers === undefined) && (headers === undefined || !namesBodyHeaders(headers));
    made.response = c.body(bytes as Uint8Array<ArrayBuffer>, arg as never, { "Content-Type": "application/json", ...headers, "Content-Length": String(bytes.byteLength) });
    return made.response;
  };
  c.json = json as typeof c.json;
  return made;
}

/** Whether a handler's headers for `c.json` set the body's type or encoding (any case). */
function namesBodyHeaders(headers: Record<string, unknown>): boolean {
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (lower === "content-type" || lower === "content-encoding") return true;
  }
  return false;
}
