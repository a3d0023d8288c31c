import type { MiddlewareHandler } from "hono";
import { secureHeaders as honoSecureHeaders } from "hono/secure-headers";

/**
 * hono/secure-headers tuned for a JSON API: nothing we serve is a document, so the CSP allows
 * nothing and no page may frame a response.
 */
export function secureHeaders(): MiddlewareHandler {
  return honoSecureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: "DENY",
    // Browsers calling us through CORS are unaffected; this only stops no-cors embedding.
    crossOriginResourcePolicy: "same-origin",
  });
}
