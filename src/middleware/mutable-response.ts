import type { MiddlewareHandler } from "hono";

/**
 * Responses from `fetch()`, a Durable Object stub or the Cache API have immutable headers, and the
 * middleware that sets headers after `next()` (request id, trace, secure headers, CORS) would throw
 * on them. Registered as the innermost global middleware, this runs first on the way out and swaps
 * such a response for a copy with mutable headers: same status and streamed body, or, for a
 * WebSocket upgrade, status 101 with its `webSocket`.
 */
export function mutableResponse(): MiddlewareHandler {
  return async function mutableResponse(c, next) {
    await next();
    const response = c.res;
    if (hasMutableHeaders(response)) return;
    // Unset first: Hono's setter would otherwise copy the old headers onto the new response itself.
    c.res = undefined;
    c.res = copyOf(response);
  };
}

/** The header no response carries; deleting it from immutable headers still throws. */
const PROBE_HEADER = "x-mutable-probe";

function hasMutableHeaders(response: Response): boolean {
  try {
    response.headers.delete(PROBE_HEADER);
    return true;
  } catch {
    return false;
  }
}

function copyOf(response: Response): Response {
  const headers = new Headers(response.headers);
  if (response.webSocket) return new Response(null, { status: 101, headers, webSocket: response.webSocket });
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
