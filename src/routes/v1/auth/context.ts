import type { Context } from "hono";
import type { AppEnv, AuthContext } from "../../../lib/app-env";
import { createRateCounters } from "../../../lib/rate-counter";
import { countedLoginThrottle } from "../../../services/identity/counted-login-throttle";
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

/** Login throttling on the RateCounter Durable Objects, with the configured limits. */
export function loginThrottle(c: Context<AppEnv>): LoginThrottle {
  const { config, services } = c.var;
  return countedLoginThrottle(createRateCounters(c.env.RATE_COUNTER, { clock: services.clock }), {
    perAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
    perClient: config.LOGIN_FAILURES_PER_CLIENT,
    windowMs: config.LOGIN_FAILURE_WINDOW_SECONDS * 1000,
  });
}
