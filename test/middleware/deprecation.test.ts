import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { deprecation } from "../../src/middleware/deprecation";
import { call, testApp } from "../helpers/app";

const since = new Date("2027-01-01T00:00:00Z");
const sunset = new Date("2027-07-01T00:00:00Z");
const link = "https://api.example.com/docs/v2-migration";

describe("deprecation()", () => {
  it("marks answers with Deprecation as a structured date, Sunset as an HTTP-date and both links", async () => {
    const app = new Hono();
    app.use("/old/*", deprecation({ since, sunset, link }));
    app.get("/old/thing", (c) => c.json({ ok: true }, 200, { Link: '<https://api.example.com/v1/things?cursor=x>; rel="next"' }));
    app.get("/new/thing", (c) => c.json({ ok: true }));

    const old = await app.request("/old/thing");
    expect(old.status).toBe(200);
    expect(old.headers.get("Deprecation")).toBe("@1798761600");
    expect(old.headers.get("Sunset")).toBe("Thu, 01 Jul 2027 00:00:00 GMT");
    const links = old.headers.get("Link")!.split(", ");
    expect(links).toEqual([
      '<https://api.example.com/v1/things?cursor=x>; rel="next"',
      `<${link}>; rel="deprecation"; type="text/html"`,
      `<${link}>; rel="sunset"; type="text/html"`,
    ]);
    expect(await old.json()).toEqual({ ok: true });

    const current = await app.request("/new/thing");
    for (const name of ["Deprecation", "Sunset", "Link"]) expect(current.headers.get(name)).toBeNull();
  });

  it("marks errors and answers whose headers are immutable too", async () => {
    const app = new Hono();
    app.use("*", deprecation({ since, sunset, link }));
    // Response.redirect's headers are immutable, as fetch()'s and the Cache API's are.
    app.get("/fetched", () => Response.redirect("https://api.example.com/v2/thing", 308));
    app.get("/boom", () => {
      throw new Error("boom");
    });
    app.onError((_, c) => c.json({ error: true }, 500));
    const redirected = await app.request("/fetched");
    expect(redirected.status).toBe(308);
    expect(redirected.headers.get("Deprecation")).toBe("@1798761600");
    const failed = await app.request("/boom");
    expect(failed.status).toBe(500);
    expect(failed.headers.get("Sunset")).toBe("Thu, 01 Jul 2027 00:00:00 GMT");
  });

  it("refuses a sunset before the deprecation and a link that is not http(s)", () => {
    expect(() => deprecation({ since: sunset, sunset: since, link })).toThrow(/sunset/);
    expect(() => deprecation({ since, sunset, link: "javascript:alert(1)" })).toThrow(/link/);
  });

  it("is on no live route yet", async () => {
    const response = await call(testApp(), "/v1/openapi.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("Deprecation")).toBeNull();
  });
});
