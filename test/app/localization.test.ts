import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/lib/errors";
import { negotiateLanguage } from "../../src/lib/i18n";
import { de } from "../../src/lib/i18n/de";
import { en } from "../../src/lib/i18n/en";
import { es } from "../../src/lib/i18n/es";
import { call, testApp, url } from "../helpers/app";
import { expectProblem } from "../helpers/problem";

const notFound = (acceptLanguage?: string) =>
  SELF.fetch(url("/v1/missing"), acceptLanguage === undefined ? {} : { headers: { "Accept-Language": acceptLanguage } });

describe("localized problems", () => {
  it("answers in English by default", async () => {
    const response = await notFound();
    const problem = await expectProblem(response, { status: 404, code: "NOT_FOUND" });
    expect(response.headers.get("Content-Language")).toBe("en");
    expect(problem.title).toBe("Not found");
    expect(problem.detail).toBe("The requested resource does not exist.");
  });

  it("answers in German for de-DE, title and detail alike", async () => {
    const response = await notFound("de-DE,de;q=0.9");
    const problem = await expectProblem(response, { status: 404, code: "NOT_FOUND" });
    expect(response.headers.get("Content-Language")).toBe("de");
    expect(problem.title).toBe("Nicht gefunden");
    expect(problem.detail).toBe("Die angeforderte Ressource existiert nicht.");
    expect(response.headers.get("Vary")).toContain("Accept-Language");
  });

  it("answers in Spanish for es", async () => {
    const response = await SELF.fetch(url("/v1/openapi.json"), { method: "PATCH", headers: { "Accept-Language": "es" } });
    const problem = await expectProblem(response, { status: 405, code: "METHOD_NOT_ALLOWED" });
    expect(response.headers.get("Content-Language")).toBe("es");
    expect(problem.title).toBe("Método no permitido");
    expect(problem.detail).toBe("PATCH no está permitido aquí. Métodos permitidos: GET, HEAD.");
  });

  it("follows q-values rather than the order of the header", async () => {
    const response = await notFound("de;q=0.3, fr;q=1, es;q=0.8");
    expect(response.headers.get("Content-Language")).toBe("es");
    expect((await response.json<{ title: string }>()).title).toBe("No encontrado");
  });

  it("falls back to English for unsupported languages and q=0", async () => {
    expect((await notFound("fr-CH, ja")).headers.get("Content-Language")).toBe("en");
    expect((await notFound("de;q=0, es;q=0")).headers.get("Content-Language")).toBe("en");
  });

  it("localizes server errors too", async () => {
    const app = testApp((app) =>
      app.get("/v1/test/limited", () => {
        throw new ApiError("RATE_LIMITED", { detail: "rateLimited", params: { seconds: 12 }, retryAfter: 12 });
      }),
    );
    const german = await expectProblem(await call(app, "/v1/test/limited", { headers: { "Accept-Language": "de" } }), { status: 429, code: "RATE_LIMITED" });
    expect(german).toMatchObject({ title: "Zu viele Anfragen", detail: "Zu viele Anfragen; bitte in 12 Sekunden erneut versuchen." });
    const spanish = await expectProblem(await call(app, "/v1/test/limited", { headers: { "Accept-Language": "es-MX" } }), { status: 429, code: "RATE_LIMITED" });
    expect(spanish).toMatchObject({ title: "Demasiadas solicitudes", detail: "Demasiadas solicitudes; vuelva a intentarlo dentro de 12 segundos." });
  });
});

describe("negotiateLanguage", () => {
  it.each([
    [undefined, "en"],
    ["", "en"],
    ["de", "de"],
    ["DE-at", "de"],
    ["es-419", "es"],
    ["fr, de;q=0.5", "de"],
    ["en;q=0.1, de;q=0.2", "de"],
    ["de;q=0.5, es;q=0.5", "de"],
    ["*", "en"],
    ["de;q=abc, es", "es"],
  ])("picks the best language for %j: %s", (header, expected) => {
    expect(negotiateLanguage(header)).toBe(expected);
  });
});

describe("message catalogues", () => {
  it("translate every title and detail into German and Spanish", () => {
    for (const catalogue of [de, es]) {
      expect(Object.keys(catalogue.titles).sort()).toEqual(Object.keys(en.titles).sort());
      expect(Object.keys(catalogue.details).sort()).toEqual(Object.keys(en.details).sort());
      for (const [key, text] of Object.entries(catalogue.details)) {
        const placeholders = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
        expect(placeholders(text), key).toEqual(placeholders(en.details[key as keyof typeof en.details]));
      }
    }
  });
});
