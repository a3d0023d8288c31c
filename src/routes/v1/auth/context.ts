import type { Context } from "hono";
import type { AppEnv, AuthContext } from "../../../lib/app-env";
import type { LoginThrottle } from "../../../services/identity/login-throttle";
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

/** TODO(rate-counter): the RateCounter-backed throttle replaces this before identity lands. */
export function loginThrottle(_c: Context<AppEnv>): LoginThrottle {
  return { assertAllowed: async () => {}, recordFailure: async () => {}, recordSuccess: async () => {} };
}
