import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../helpers/openapi-document";

const WORKSPACE_ENDPOINTS: Array<[method: string, path: string]> = [
  ["post", "/v1/workspaces/{workspaceId}/invitations"],
  ["get", "/v1/workspaces/{workspaceId}/invitations"],
  ["delete", "/v1/workspaces/{workspaceId}/invitations/{invitationId}"],
  ["post", "/v1/workspaces/{workspaceId}/invitations/{invitationId}/resend"],
];

describe("the invitation endpoints in the OpenAPI document", async () => {
  const { document, schema } = await openApiDocument();
  const operation = (method: string, path: string) => document.paths[path]![method]! as (typeof document.paths)[string][string] & { "x-permission"?: string };

  it.each(WORKSPACE_ENDPOINTS)("documents %s %s with member:invite, both credentials, and problem answers", (method, path) => {
    const documented = operation(method, path);
    expect(documented["x-permission"]).toBe("member:invite");
    expect(documented.security).toEqual([{ bearerAuth: [] }, { apiKey: [] }]);
    for (const status of ["401", "403", "404"]) expect(Object.keys(documented.responses[status]!.content!)).toEqual(["application/problem+json"]);
  });

  it("documents accepting for a signed-in user only, and declining without credentials", () => {
    expect(operation("post", "/v1/invitations/accept").security).toEqual([{ bearerAuth: [] }]);
    expect(operation("post", "/v1/invitations/decline").security).toEqual([]);
  });

  it("takes only closed bodies, the token never in a path or query, and never shows a token or its hash", () => {
    for (const [method, path] of [...WORKSPACE_ENDPOINTS, ["post", "/v1/invitations/accept"], ["post", "/v1/invitations/decline"]] as const) {
      const body = operation(method, path).requestBody;
      if (body) expect(schema(body.content["application/json"]!.schema.$ref).additionalProperties, `${method} ${path}`).toBe(false);
      expect(path).not.toMatch(/token/i);
    }
    expect(Object.keys(schema("#/components/schemas/Invitation").properties!).sort()).toEqual(
      ["createdAt", "customRoleId", "email", "expiresAt", "id", "invitedBy", "lastSentAt", "role", "sendCount", "status"].sort(),
    );
  });
});
