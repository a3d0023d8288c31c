import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../helpers/openapi-document";

const ENDPOINTS: Array<[method: string, path: string]> = [
  ["get", "/v1/admin/ip-rules"],
  ["post", "/v1/admin/ip-rules"],
  ["delete", "/v1/admin/ip-rules/{id}"],
];

describe("the admin IP rules endpoints in the OpenAPI document", async () => {
  const { document, schema } = await openApiDocument();

  it.each(ENDPOINTS)("documents %s %s behind a bearer token, with 401 and 403 as problems", (method, path) => {
    const operation = document.paths[path]?.[method];
    expect(operation).toBeDefined();
    expect(operation!.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(operation!.responses)).toEqual(expect.arrayContaining(["401", "403"]));
    for (const status of Object.keys(operation!.responses).filter((status) => !status.startsWith("2"))) {
      expect(Object.keys(operation!.responses[status]!.content ?? {})).toEqual(["application/problem+json"]);
    }
  });

  it("takes a closed body and answers a rule with its documented fields only", () => {
    const body = document.paths["/v1/admin/ip-rules"]!.post!.requestBody!;
    expect(schema(body.content["application/json"]!.schema.$ref).additionalProperties).toBe(false);
    expect(Object.keys(schema("#/components/schemas/IpRule").properties!).sort()).toEqual(["action", "cidr", "createdAt", "createdBy", "expiresAt", "id", "note"]);
  });
});
