import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../helpers/openapi-document";

const ENDPOINTS: Array<[method: string, path: string, authenticated: boolean]> = [
  ["post", "/v1/auth/register", false],
  ["post", "/v1/auth/email/verification", true],
  ["post", "/v1/auth/email/verify", false],
  ["post", "/v1/auth/password/forgot", false],
  ["post", "/v1/auth/password/reset", false],
  ["post", "/v1/auth/password/change", true],
  ["get", "/v1/me", true],
  ["patch", "/v1/me", true],
  ["delete", "/v1/me", true],
];

describe("the accounts endpoints in the OpenAPI document", async () => {
  const { document, schema } = await openApiDocument();

  it.each(ENDPOINTS)("documents %s %s, with its security and problem answers", (method, path, authenticated) => {
    const operation = document.paths[path]?.[method];
    expect(operation).toBeDefined();
    // A public operation says so with an empty list; an authenticated one names its scheme.
    expect(operation!.security).toEqual(authenticated ? [{ bearerAuth: [] }] : []);
    const statuses = Object.keys(operation!.responses);
    expect(statuses.some((status) => status.startsWith("2"))).toBe(true);
    for (const status of statuses.filter((status) => !status.startsWith("2"))) {
      expect(Object.keys(operation!.responses[status]!.content ?? {})).toEqual(["application/problem+json"]);
    }
  });

  it("takes only closed request bodies: any other field is refused", () => {
    for (const [method, path] of ENDPOINTS) {
      const body = document.paths[path]![method]!.requestBody;
      if (body) expect(schema(body.content["application/json"]!.schema.$ref).additionalProperties, `${method} ${path}`).toBe(false);
    }
  });

  it("answers the profile without a hash and registration with one generic body", () => {
    expect(Object.keys(schema("#/components/schemas/Profile").properties!).sort()).toEqual(
      ["createdAt", "email", "emailVerified", "id", "locale", "name", "role", "updatedAt"].sort(),
    );
    expect(schema("#/components/schemas/Accepted").properties).toEqual({ status: { type: "string", enum: ["accepted"] } });
  });
});
