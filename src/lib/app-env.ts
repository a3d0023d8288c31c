import type { Config } from "../env";
import type { RequestMeter } from "./metrics/request-meter";
import type { WorkspaceAccess } from "../services/workspaces/access";
import type { Services } from "../services/container";
import type { UserProfile } from "../services/identity/users";
import type { Permission } from "./permissions";
import type { IpAddress } from "./ip-ranges";
import type { TraceContext } from "./trace-context";
import type { RequestTracer } from "./tracing/tracer";

/** Hono environment shared by every route and middleware: bindings plus per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** W3C trace id (32 hex chars) of this request, from `traceparent` or freshly made. */
    traceId: string;
    /** This request's span; pass it to `traceHeaders` for outgoing calls. */
    trace: TraceContext;
    /** Set by `tracing()` when TRACING is on: records this request's outbound calls as spans. */
    tracer?: RequestTracer;
    config: Config;
    services: Services;
    /** Set by `authenticate()`; logged when known. */
    userId?: string;
    /** Set by `authenticate()` on the routes that require it: the signed-in user. */
    auth?: AuthContext;
    /** Set by `authenticate()` when the request presents a valid API key instead of an access token. */
    apiKey?: ApiKeyContext;
    /** Set by `workspaceAccess()` on `/v1/workspaces/{workspaceId}/…`: the workspace and what the caller may do in it. */
    workspace?: WorkspaceAccess;
    /** Set by `metrics()` unless METRICS_ENABLED is false: where the request path reports what it did. */
    meter?: RequestMeter;
    /** The client's address from `CF-Connecting-IP`, parsed on first use (`clientAddress`); null without a valid one. */
    clientAddress?: IpAddress | null;
  };
}

/** Who a request acts for, as `authenticate()` established it. */
export interface AuthContext {
  userId: string;
  sessionId: string;
  role: "user" | "admin";
  /** The user's profile, when authentication read it from the database on this request. */
  user?: UserProfile;
}

/** An API key a request authenticated with: it acts as its workspace, with its scopes. */
export interface ApiKeyContext {
  keyId: string;
  workspaceId: string;
  scopes: ReadonlySet<Permission>;
}
