import { Scalar } from "@scalar/hono-api-reference";
import type { Context } from "hono";
import { createRouter } from "../../lib/create-router";
import { DOCS_PATH, SCALAR_SCRIPT_PATH } from "./docs-paths";

/**
 * What the page may load, and nothing more: scripts from this origin (the bundle) and, by nonce, the
 * inline start-up script; styles from this origin and inline (the bundle sets style attributes and
 * adds style elements as it renders, which no nonce can cover: test/docs shows them refused
 * otherwise); requests to this origin alone (the document, and what "Test Request" sends). No
 * images, fonts, frames or forms: the page needs none.
 */
export function docsContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * `GET /docs`: the interactive reference (Scalar) over `documentPath`. Nothing comes from a CDN:
 * the script is this Worker's asset, fonts are the system's. The page is the same for everyone but
 * its nonce, so it is not stored anywhere.
 */
export function docs(documentPath: string) {
  return createRouter().get(DOCS_PATH, async (c) => {
    const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    c.header("Content-Security-Policy", docsContentSecurityPolicy(nonce));
    const render = Scalar({ url: documentPath, cdn: SCALAR_SCRIPT_PATH, nonce, pageTitle: "Edge Backend API", withDefaultFonts: false });
    // Scalar's handler answers with c.html and never calls next; it is typed for Hono's plain Env.
    return (await render(c as unknown as Context, async () => {})) as Response;
  });
}
