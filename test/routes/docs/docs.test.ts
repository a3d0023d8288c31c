import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SCALAR_SCRIPT_PATH } from "../../../src/routes/docs/docs-paths";
import { url } from "../../helpers/app";

describe("GET /docs", () => {
  it("serves the reference page, loading its script from this origin only, under a CSP made for it", async () => {
    const response = await SELF.fetch(url("/docs"));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await response.text();
    const policy = response.headers.get("Content-Security-Policy")!;
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1];
    expect(nonce).toBeTruthy();
    expect(policy).toBe(
      `default-src 'none'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((match) => match[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toContain(`nonce="${nonce}"`);
    expect(html).toContain(`<script src="${SCALAR_SCRIPT_PATH}"`);
    expect(html).toContain('"url": "/v1/openapi.json"');
    // Nothing from elsewhere: no CDN, no web fonts.
    expect(html).not.toMatch(/https?:\/\//);
    expect(response.headers.get("X-Frame-Options")).toBe("DENY");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
  });

  it("gives every page its own nonce", async () => {
    const policies = await Promise.all([1, 2].map(async () => (await SELF.fetch(url("/docs"))).headers.get("Content-Security-Policy")));
    expect(policies[0]).not.toBe(policies[1]);
  });

  it("leaves every other route's policy as strict as before", async () => {
    const response = await SELF.fetch(url("/health"));
    expect(response.headers.get("Content-Security-Policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});
