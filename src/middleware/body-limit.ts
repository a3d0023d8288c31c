import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { endpointRoute } from "../lib/matched-route";

export interface BodyLimitOptions {
  /** Largest accepted body in bytes; the per-environment `MAX_BODY_BYTES` by default. */
  maxBytes?: (c: Context<AppEnv>) => number;
  /**
   * The limit of an endpoint that streams its body on (an upload), or undefined for the others. Its
   * Content-Length is checked here and nothing is read: the endpoint requires the header and counts
   * the bytes as they pass, where buffering them to count would hold a whole file.
   */
  streamedLimit?: (c: Context<AppEnv>) => number | undefined;
}

/**
 * hono/body-limit on every endpoint that receives a body, answering 413 PAYLOAD_TOO_LARGE. It trusts
 * Content-Length when present and otherwise counts the bytes as they stream in.
 */
export function bodyLimit({ maxBytes = (c) => c.get("config").MAX_BODY_BYTES, streamedLimit = () => undefined }: BodyLimitOptions = {}): MiddlewareHandler<AppEnv> {
  return async function bodyLimit(c, next) {
    if (!c.req.raw.body || !endpointRoute(c)) return next();
    const streamed = streamedLimit(c);
    if (streamed !== undefined) {
      if (Number(c.req.header("Content-Length") ?? 0) > streamed) throw new ApiError("PAYLOAD_TOO_LARGE", { detail: "payloadTooLarge", params: { limit: streamed } });
      return next();
    }
    const limit = maxBytes(c);
    const guard = honoBodyLimit({
      maxSize: limit,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", { detail: "payloadTooLarge", params: { limit } });
      },
    });
    return guard(c, next);
  };
}
