import { expect } from "vitest";

/** What no response may ever carry, whatever the route. */
const NEVER = [
  { name: "a password hash", pattern: /\$argon2(id|i|d)\$/ },
  { name: "a token hash (SHA-256 hex)", pattern: /(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/ },
  { name: "a one-time or invitation token", pattern: /\b(vt|pt|it)_[A-Za-z0-9_-]{43}\b/ },
  { name: "a private key member", pattern: /"d"\s*:\s*"/ },
];
/** Refresh tokens go to the client from these routes only. */
const REFRESH_TOKEN = /\brt_[A-Za-z0-9_-]{43}\b/;
const TOKEN_ROUTES = new Set(["/v1/auth/login", "/v1/auth/refresh", "/v1/auth/oauth/exchange"]);
/** API keys, whole, go to the client from creating and rotating one only. */
const API_KEY = /\b(?:live|stg|dev|test)_[0-9a-hjkmnp-tv-z]{8}_[A-Za-z0-9_-]{49}(?![A-Za-z0-9_-])/;
const API_KEY_ROUTE = /^\/v1\/workspaces\/[^/]+\/api-keys(?:\/[^/]+\/rotate)?$/;
/** Webhook signing secrets we generate go to the client from creating a source or an endpoint, and rotating an endpoint's secret, only. */
const WEBHOOK_SECRET = /\bwhsec_[A-Za-z0-9+/]{43}=/;
const WEBHOOK_SECRET_ROUTE = /^\/v1\/workspaces\/[^/]+\/(?:webhook-sources|webhook-endpoints(?:\/[^/]+\/rotate-secret)?)$/;

/**
 * Fails the test when `response` carries a password hash, a token hash, a one-time token or a private
 * key member, or a refresh token, an API key or a webhook secret outside the routes that issue one. `call()` runs it on
 * every response the suite produces through it.
 */
export async function expectNoSecretsIn(path: string, response: Response): Promise<void> {
  // A WebSocket handshake has no body to read (and cannot be cloned).
  if (response.webSocket) return;
  const text = (await response.clone().text()) + [...response.headers].map(([name, value]) => `\n${name}: ${value}`).join("");
  for (const { name, pattern } of NEVER) expect(text, `${path} answered with ${name}`).not.toMatch(pattern);
  const pathname = new URL(path, "http://api.test").pathname;
  if (!TOKEN_ROUTES.has(pathname)) expect(text, `${path} answered with a refresh token`).not.toMatch(REFRESH_TOKEN);
  if (!API_KEY_ROUTE.test(pathname)) expect(text, `${path} answered with an API key`).not.toMatch(API_KEY);
  if (!WEBHOOK_SECRET_ROUTE.test(pathname)) expect(text, `${path} answered with a webhook secret`).not.toMatch(WEBHOOK_SECRET);
}
