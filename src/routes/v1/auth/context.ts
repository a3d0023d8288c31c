import type { Context } from "hono";
import type { AppEnv, AuthContext } from "../../../lib/app-env";
import { sessionSettings, type SessionDeps } from "../../../services/identity/sessions";

/** The session services' dependencies, from the request's services and configuration. */
export function sessionDeps(c: Context<AppEnv>): SessionDeps {
  const { services, config } = c.var;
  return { db: services.db, clock: services.clock, keys: () => services.signingKeys(), settings: sessionSettings(config) };
}

/** Who the request acts for; only on routes behind `authenticate()`. */
export function currentAuth(c: Context<AppEnv>): AuthContext {
  const auth = c.var.auth;
  if (!auth) throw new Error("currentAuth() on a route without authenticate()");
  return auth;
}
