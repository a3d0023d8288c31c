import { createRouter } from "../../../lib/create-router";
import { rateLimit } from "../../../middleware/rate-limit";
import { accounts } from "./accounts.index";
import { oauth } from "./oauth.index";
import { sessions } from "./sessions.index";

/**
 * The flows an attacker would hammer, under /v1/auth: each hashes a password or sends mail. The
 * `auth` rate limit counts them per client on the Durable Objects and fails closed; the general
 * `api` limit passes them by (see src/app.ts).
 */
export const AUTH_FLOWS = ["/login", "/register", "/password/forgot", "/password/reset", "/email/verification"] as const;
export const AUTH_FLOW_PATHS: readonly string[] = AUTH_FLOWS.map((path) => `/v1/auth${path}`);

/** Everything under /v1/auth: sessions (login, refresh, logout, the session list), accounts and sign-in with a provider. */
const limited = createRouter();
for (const path of AUTH_FLOWS) limited.use(path, rateLimit({ group: "auth" }));
export const auth = limited.route("/", sessions).route("/", accounts).route("/", oauth);
