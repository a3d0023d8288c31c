import { DOCS_PATH } from "../routes/docs/docs-paths";
import type { AroundHook } from "./around";

/**
 * What OWASP's REST Security Cheat Sheet asks of every API response, besides the `Content-Type` each
 * response sets itself. Nothing we serve is a document, so the headers that only guard HTML (Referrer-,
 * Permissions-, Cross-Origin-Opener-Policy, X-XSS-Protection, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, Origin-Agent-Cluster) are not sent: each one costs every response
 * its own pass through the runtime. `default-src 'none'` rides in the CSP value for free.
 */
export const SECURE_HEADERS: ReadonlyArray<readonly [name: string, value: string]> = [
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
];

/** Unless a route says how its answer may be cached, nobody may store it. */
const DEFAULT_CACHE_CONTROL = "no-store";

/**
 * Sets the secure headers on every response once it is known, and `Cache-Control: no-store` on those
 * whose route set no `Cache-Control` of its own. The one HTML page, /docs, states its own
 * `Content-Security-Policy` (what its script needs, nothing wider), which is kept.
 */
export function secureHeaders(): AroundHook {
  return {
    close(c) {
      const headers = c.res.headers;
      const ownPolicy = c.req.path === DOCS_PATH ? headers.get("Content-Security-Policy") : null;
      for (const [name, value] of SECURE_HEADERS) headers.set(name, value);
      if (ownPolicy) headers.set("Content-Security-Policy", ownPolicy);
      if (!headers.has("Cache-Control")) headers.set("Cache-Control", DEFAULT_CACHE_CONTROL);
    },
  };
}
