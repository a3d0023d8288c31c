import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../helpers/openapi-document";

const ENDPOINTS: Array<[method: string, path: string]> = [
  ["get", "/v1/workspaces/{workspaceId}/api-keys"],
  ["post", "/v1/workspaces/{workspaceId}/api-keys"],
  ["get", "/v1/workspaces/{workspaceId}/api-keys/{keyId}"],
  ["post", "/v1/workspaces/{workspaceId}/api-keys/{keyId}/rotate"],
  ["delete", "/v1/workspaces/{workspaceId}/api-keys/{keyId}"],
];

describe("the API key endpoints in the OpenAPI document", async () => {
  const { document, schema } = await openApiDocument();

  it.each(ENDPOINTS)("documents %s %s with apikey:manage, either credential, and its refusals as problems", (method, path) => {
    const operation = document.paths[path]?.[method] as (typeof document.paths)[string][string] & { "x-permission"?: string };
    expect(operation).toBeDefined();
    expect(operation["x-permission"]).toBe("apikey:manage");
    expect(operation.security).toEqual([{ bearerAuth: [] }, { apiKey: [] }]);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["401", "403", "404"]));
    for (const status of Object.keys(operation.responses).filter((status) => !status.startsWith("2"))) {
      expect(Object.keys(operation.responses[status]!.content ?? {})).toEqual(["application/problem+json"]);
    }
  });

  it("takes closed bodies, and shows the key only in what creating and rotating answer", () => {
    for (const [method, path] of [ENDPOINTS[1]!, ENDPOINTS[3]!]) {
      const operation = document.paths[path]![method]!;
      expect(schema(operation.requestBody!.content["application/json"]!.schema.$ref).additionalProperties).toBe(false);
      expect(operation.responses[method === "post" && path.endsWith("rotate") ? "200" : "201"]!.content!["application/json"]!.schema.$ref).toBe("#/components/schemas/IssuedApiKey");
    }
    const keySchema = schema("#/components/schemas/ApiKey");
    expect(Object.keys(keySchema.properties!)).not.toContain("key");
    expect(JSON.stringify(schema("#/components/schemas/IssuedApiKey"))).toContain('"key"');
    expect(JSON.stringify([keySchema, schema("#/components/schemas/IssuedApiKey")])).not.toMatch(/hash/i);
  });
});
