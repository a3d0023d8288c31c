import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { acceptedEncodings } from "../lib/http/accept-encoding";
import { readPrefix } from "../lib/http/body-prefix";
import { isJson } from "../lib/http/media-types";

export interface CompressionOptions {
  /** Bodies up to this many bytes go out as they are: gzip's header and trailer alone are 18. */
  thresholdBytes?: number;
}

/** Statuses that never carry a body to compress. */
const BODYLESS = new Set([101, 204, 205, 304]);

/**
 * Gzips a JSON or problem+json answer longer than `thresholdBytes` for a client whose
 * `Accept-Encoding` accepts gzip (q-values, `*` and `identity;q=0` honoured; a client that refuses
 * identity gets even a short body gzipped). Compressed answers get `Content-Encoding: gzip`,
 * `Accept-Encoding` added to `Vary`, no `Content-Length`, and a weak `ETag` (the compressed bytes
 * are another representation). Anything else, short bodies and bodies that are already encoded
 * included, leaves byte for byte as it came.
 *
 * workerd's CompressionStream does the work in native code and the body goes out with
 * `encodeBody: "manual"`, so the runtime sends these bytes as they are: what a test reads here is
 * what the client gets. (workerd's CompressionStream knows gzip and deflate but not brotli, which
 * the runtime itself would only produce with `encodeBody: "automatic"`, after the Worker has
 * returned; see the README.)
 */
export function compression({ thresholdBytes = 1024 }: CompressionOptions = {}): MiddlewareHandler<AppEnv> {
  return async function compression(c, next) {
    await next();
    const accepted = acceptedEncodings(c.req.header("Accept-Encoding"));
    if (!accepted.gzip || c.req.method === "HEAD") {
      varyIfShared(c.res);
      return;
    }
    const response = c.res;
    if (BODYLESS.has(response.status) || !response.body || response.webSocket) return;
    const headers = response.headers;
    if (headers.has("Content-Encoding") || !isJson(headers.get("Content-Type"))) return;

    const limit = accepted.identityRefused ? 0 : thresholdBytes;
    // A length the answer states (problems, tagged answers) spares reading a short body and building
    // it anew; most answers of a JSON API are short.
    const stated = headers.get("Content-Length");
    if (stated !== null && Number(stated) <= limit) return;
    const { bytes, complete, body } = await readPrefix(response.body, limit);
    // Unset first: Hono's setter would otherwise copy the old headers onto the new response itself.
    c.res = undefined;
    if (complete && bytes.byteLength <= limit) {
      c.res = new Response(bytes, response);
      return;
    }
    const compressed = new Headers(headers);
    compressed.set("Content-Encoding", "gzip");
    compressed.append("Vary", "Accept-Encoding");
    compressed.delete("Content-Length");
    const tag = compressed.get("ETag");
    if (tag !== null && !tag.startsWith("W/")) compressed.set("ETag", `W/${tag}`);
    c.res = new Response(body.pipeThrough(new CompressionStream("gzip")), {
      status: response.status,
      statusText: response.statusText,
      headers: compressed,
      encodeBody: "manual",
    });
  };
}

/**
 * A JSON answer a shared cache may keep is gzipped for some clients and not for others, so it says
 * `Vary: Accept-Encoding` even when this client got it plain; answers no shared cache keeps skip the
 * header (the hot path sets nothing it does not need).
 */
function varyIfShared(response: Response): void {
  const headers = response.headers;
  if (!headers.get("Cache-Control")?.includes("public") || !isJson(headers.get("Content-Type"))) return;
  if (!/\baccept-encoding\b/i.test(headers.get("Vary") ?? "")) headers.append("Vary", "Accept-Encoding");
}
