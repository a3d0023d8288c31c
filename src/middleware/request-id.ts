import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";

export interface RequestIdOptions {
  /** Header read from the request and echoed on the response. */
  headerName?: string;
  /** Which incoming ids to keep; anything else is replaced, so logs never carry a client's junk. */
  pattern?: RegExp;
  generator?: (c: Context<AppEnv>) => string;
}

/** 1–128 characters that are safe in a header and in a log line. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Keeps a well-formed incoming `X-Request-Id` or makes one, puts it on `c.var.requestId` and echoes
 * it on every response, errors and 404s included.
 */
export function requestId({
  headerName = "X-Request-Id",
  pattern = WELL_FORMED,
  generator = () => crypto.randomUUID(),
}: RequestIdOptions = {}): MiddlewareHandler<AppEnv> {
  return async function requestId(c, next) {
    const incoming = c.req.header(headerName);
    const id = incoming !== undefined && pattern.test(incoming) ? incoming : generator(c);
    c.set("requestId", id);
    // Set before `next` so error and not-found responses inherit it, and after, for responses
    // a handler built itself (their headers are mutable by then: see mutable-response.ts).
    c.header(headerName, id);
    await next();
    c.res.headers.set(headerName, id);
  };
}
