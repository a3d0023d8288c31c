import { systemClock, type Clock } from "./lib/clock";
import { createRouter } from "./lib/create-router";
import { entityTagOf } from "./lib/http/entity-tags";
import { authenticate } from "./middleware/authenticate";
import { bodyLimit } from "./middleware/body-limit";
import { compression } from "./middleware/compression";
import { configuration } from "./middleware/configuration";
import { cors } from "./middleware/cors";
import { crossSite } from "./middleware/cross-site";
import { etag } from "./middleware/etag";
import { eventRelayNudge } from "./middleware/event-relay-nudge";
import { ipRules } from "./middleware/ip-rules";
import { jsonBody } from "./middleware/json-body";
import { IsolateMetrics } from "./lib/metrics";
import { requestLogger } from "./middleware/logger";
import { metrics } from "./middleware/metrics";
import { notFound } from "./middleware/not-found";
import { mutableResponse } from "./middleware/mutable-response";
import { onError } from "./middleware/on-error";
import { publicCache } from "./middleware/public-cache";
import { rateLimit } from "./middleware/rate-limit";
import { around } from "./middleware/around";
import { requestId } from "./middleware/request-id";
import { secureHeaders } from "./middleware/secure-headers";
import { services } from "./middleware/services";
import { traceContext } from "./middleware/trace-context";
import { tracing } from "./middleware/tracing";
import { devTools } from "./routes/dev/dev.index";
import { docs } from "./routes/docs/docs.index";
import { liveness, readiness } from "./routes/health/health.index";
import { metricsEndpoint } from "./routes/metrics/metrics.index";
import { streamedBodyLimit } from "./routes/streamed-bodies";
import { AUTH_FLOW_PATHS } from "./routes/v1/auth/auth.index";
import { v1 } from "./routes/v1/index";
import { jwksRoute, wellKnown } from "./routes/well-known/jwks";
import { AppScope, type CacheOptions } from "./services/app-scope";

/** Version of the API contract, shown in the OpenAPI document. */
export const API_VERSION = "1.0.0";

export const OPENAPI_DOCUMENT_PATH = "/v1/openapi.json";

/**
 * What keys the public documents in the Cache API: the API version and the deployed version's id
 * (new with every deploy and secret change, so a new signing key set is never hidden behind the last
 * one's JWKS). workerd run without the binding (the bench) has the API version alone.
 */
export function cacheVersion(env: Partial<Env>): string {
  return `${API_VERSION}+${env.CF_VERSION_METADATA?.id ?? "unversioned"}`;
}

export interface AppOptions {
  /** The time source for everything time decides; tests pass their own. */
  clock?: Clock;
  /** How the cache waits for a fill another isolate holds the lock of; tests pass their own. */
  cache?: CacheOptions;
}

/** Builds the whole API; the Worker and the tests share it. */
export function createApp({ clock = systemClock, cache }: AppOptions = {}) {
  const app = createRouter();
  const scope = new AppScope(clock, cache);
  const isolateMetrics = new IsolateMetrics(clock);

  // What every response gets, /health and refusals included, as hooks of one middleware (see around.ts).
  app.use(around("envelope", [requestId(), metrics({ isolate: isolateMetrics }), traceContext(), requestLogger(), secureHeaders()]));

  // Liveness answers before configuration is touched; it must hold even when that is broken.
  app.route("/", liveness);

  // Tracing needs TRACING from the configuration and records every outbound call the services make.
  app.use(around("requestContext", [configuration(), tracing(), services({ scope })]));
  app.use(cors());
  // Before anything else looks at the request, but after CORS so a browser can read the refusal.
  app.use(ipRules());
  // Sees the final body of whatever answers below (a handler, a problem, a 404, a 304, a cache hit)
  // and only adds headers the outer middleware leave alone.
  app.use(compression());
  app.use(crossSite());
  // Uploads stream a file of their own type and size limit on (src/routes/streamed-bodies.ts).
  app.use(jsonBody({ except: (c) => streamedBodyLimit(c) !== undefined }));
  app.use(bodyLimit({ streamedLimit: streamedBodyLimit }));
  // Public documents from the Cache API, before authentication and the rate limit: a hit touches no
  // database, Redis or key and is cheaper than the limiter's own call, a request with credentials is
  // never served from it, and the IP rules above still refuse whom they refuse.
  app.use(publicCache({ paths: [jwksRoute.path, OPENAPI_DOCUMENT_PATH], version: (c) => cacheVersion(c.env) }));
  // Who is asking, when a valid access token says so, for the general limit to count per user;
  // routes that need a user still require one. The authentication flows have a limit of their own.
  app.use("/v1/*", authenticate({ optional: true }));
  app.use("/v1/*", rateLimit({ group: "api", except: AUTH_FLOW_PATHS }));
  // Workspace writes are what put events in the outbox.
  app.use("/v1/workspaces/*", eventRelayNudge());
  // On the handler's own body, before compression and before the Cache API stores it (with its tag).
  app.use(etag());
  // Innermost, so it runs first on the way out: everything above may set headers after `next()`.
  app.use(mutableResponse());

  app.route("/", readiness(clock));
  app.route("/", metricsEndpoint(isolateMetrics));
  app.route("/", wellKnown);
  app.route("/", docs(OPENAPI_DOCUMENT_PATH));
  app.route("/v1", v1);
  app.route("/", devTools);
  // Built once per app on first request (doc31 would rebuild it on every one), after every route is
  // registered; a failure to build it is an error like any other, rendered as problem+json.
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
  app.openAPIRegistry.registerComponent("securitySchemes", "metricsToken", { type: "http", scheme: "bearer", description: "METRICS_TOKEN, for `GET /metrics` only." });
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "A workspace's API key, `<env>_<prefix>_<secret>`: it acts as its workspace with its scopes, on workspace routes only.",
  });
  // Built and tagged by the first request that needs it; each request until then does it itself
  // (never awaiting another request's promise, see ownPromise), all later ones take the result.
  let openApiDocument: { body: string; etag: string } | undefined;
  app.get(OPENAPI_DOCUMENT_PATH, async (c) => {
    const { body, etag } = (openApiDocument ??= await taggedDocument(app));
    // The same for everyone; a deploy changes it, and the Cache API's key with it. Tagged once, so
    // the ETag middleware does not hash the whole document on every request the cache misses.
    return c.body(body, 200, { "Content-Type": "application/json", "Cache-Control": "public, max-age=300", ETag: etag });
  });

  app.notFound(notFound({ router: app.router }));
  app.onError(onError());
  return app;
}

async function taggedDocument(app: ReturnType<typeof createRouter>): Promise<{ body: string; etag: string }> {
  const body = JSON.stringify(
    app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "Edge Backend API", version: API_VERSION },
      // Relative: the API that serves the document is the one it describes, in every environment.
      servers: [{ url: "/", description: "This API's origin." }],
    }),
  );
  return { body, etag: await entityTagOf(new TextEncoder().encode(body)) };
}
