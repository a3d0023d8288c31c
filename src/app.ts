import { systemClock, type Clock } from "./lib/clock";
import { createRouter } from "./lib/create-router";
import { authenticate } from "./middleware/authenticate";
import { bodyLimit } from "./middleware/body-limit";
import { configuration } from "./middleware/configuration";
import { cors } from "./middleware/cors";
import { crossSite } from "./middleware/cross-site";
import { ipRules } from "./middleware/ip-rules";
import { jsonBody } from "./middleware/json-body";
import { requestLogger } from "./middleware/logger";
import { notFound } from "./middleware/not-found";
import { mutableResponse } from "./middleware/mutable-response";
import { onError } from "./middleware/on-error";
import { rateLimit } from "./middleware/rate-limit";
import { requestId } from "./middleware/request-id";
import { secureHeaders } from "./middleware/secure-headers";
import { services } from "./middleware/services";
import { traceContext } from "./middleware/trace-context";
import { devTools } from "./routes/dev/dev.index";
import { liveness, readiness } from "./routes/health/health.index";
import { AUTH_FLOW_PATHS } from "./routes/v1/auth/auth.index";
import { v1 } from "./routes/v1/index";
import { wellKnown } from "./routes/well-known/jwks";
import { AppScope, type CacheOptions } from "./services/app-scope";

/** Version of the API contract, shown in the OpenAPI document. */
export const API_VERSION = "1.0.0";

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

  app.use(requestId());
  app.use(traceContext());
  app.use(requestLogger());
  app.use(secureHeaders());

  // Liveness answers before configuration is touched; it must hold even when that is broken.
  app.route("/", liveness);

  app.use(configuration());
  app.use(services({ scope }));
  app.use(cors());
  // Before anything else looks at the request, but after CORS so a browser can read the refusal.
  app.use(ipRules());
  app.use(crossSite());
  app.use(jsonBody());
  app.use(bodyLimit());
  // Who is asking, when a valid access token says so, for the general limit to count per user;
  // routes that need a user still require one. The authentication flows have a limit of their own.
  app.use("/v1/*", authenticate({ optional: true }));
  app.use("/v1/*", rateLimit({ group: "api", except: AUTH_FLOW_PATHS }));
  // Innermost, so it runs first on the way out: everything above may set headers after `next()`.
  app.use(mutableResponse());

  app.route("/", readiness(clock));
  app.route("/", wellKnown);
  app.route("/v1", v1);
  app.route("/", devTools);
  // Built once per app on first request (doc31 would rebuild it on every one), after every route is
  // registered; a failure to build it is an error like any other, rendered as problem+json.
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
  let openApiDocument: string | undefined;
  app.get("/v1/openapi.json", (c) => {
    openApiDocument ??= JSON.stringify(app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "Edge Backend API", version: API_VERSION } }));
    return c.body(openApiDocument, 200, { "Content-Type": "application/json" });
  });

  app.notFound(notFound({ router: app.router }));
  app.onError(onError());
  return app;
}
