import type { Config } from "../env";
import type { Services } from "../services/container";
import type { TraceContext } from "./trace-context";

/** Hono environment shared by every route and middleware: bindings plus per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** W3C trace id (32 hex chars) of this request, from `traceparent` or freshly made. */
    traceId: string;
    /** This request's span; pass it to `traceHeaders` for outgoing calls. */
    trace: TraceContext;
    config: Config;
    services: Services;
    /** Set by authentication once it exists; logged when known. */
    userId?: string;
  };
}
