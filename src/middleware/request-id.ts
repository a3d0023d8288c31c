import type { Context } from "hono";
import type { AppEnv } from "../lib/app-env";
import type { AroundHook } from "./around";

export interface RequestIdOptions {
  /** Header read from the request and echoed on the response. */
  headerName?: string;
  /** Which incoming ids to keep; anything else is replaced, so logs never carry a client's junk. */
  pattern?: RegExp;
  generator?: (c: Context<AppEnv>) => string;
}

/** 1–128 characters that are safe in a header and in a log line. */
export const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Keeps a well-formed incoming `X-Request-Id` or makes one, puts it on `c.var.requestId` and echoes
 * it on every response, errors and 404s included.
 */
export function requestId({
  headerName = "X-Request-Id",
  pattern = WELL_FORMED_REQUEST_ID,
  generator = () => crypto.randomUUID(),
}: RequestIdOptions = {}): AroundHook {
  return {
    open(c) {
      const incoming = c.req.header(headerName);
      c.set("requestId", incoming !== undefined && pattern.test(incoming) ? incoming : generator(c));
    },
    // Only once the response is known: by then `c.res` is whatever answered, a handler's own
    // response (mutable by now, see mutable-response.ts), a problem or a 404, and each header
    // set costs a call into the runtime.
    close(c) {
      c.res.headers.set(headerName, c.get("requestId"));
    },
  };
}
