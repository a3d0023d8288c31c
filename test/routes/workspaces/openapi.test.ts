import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../helpers/openapi-document";

/** Each endpoint, and the permission it requires in the workspace (null: a signed-in user, no workspace permission). */
const ENDPOINTS: Array<[method: string, path: string, permission: string | null]> = [
  ["post", "/v1/workspaces", null],
  ["get", "/v1/workspaces", null],
  ["get", "/v1/workspaces/{workspaceId}", "workspace:read"],
  ["patch", "/v1/workspaces/{workspaceId}", "workspace:update"],
  ["delete", "/v1/workspaces/{workspaceId}", "workspace:delete"],
  ["post", "/v1/workspaces/{workspaceId}/restore", null],
  ["get", "/v1/workspaces/{workspaceId}/members", "member:read"],
  ["patch", "/v1/workspaces/{workspaceId}/members/{userId}", "member:manage"],
  ["delete", "/v1/workspaces/{workspaceId}/members/{userId}", "member:manage"],
  ["post", "/v1/workspaces/{workspaceId}/leave", null],
  ["get", "/v1/workspaces/{workspaceId}/roles", "role:manage"],
  ["post", "/v1/workspaces/{workspaceId}/roles", "role:manage"],
  ["patch", "/v1/workspaces/{workspaceId}/roles/{roleId}", "role:manage"],
  ["delete", "/v1/workspaces/{workspaceId}/roles/{roleId}", "role:manage"],
  ["get", "/v1/workspaces/{workspaceId}/audit-log", "audit:read"],
];

type Operation = { security?: unknown[]; "x-permission"?: string; responses: Record<string, { content?: Record<string, unknown> }> };

describe("the workspace, member, role and audit log endpoints in the OpenAPI document", async () => {
  const { document, schema } = await openApiDocument();

  it.each(ENDPOINTS)("documents %s %s with its permission, its credentials and its errors as problems", (method, path, permission) => {
    const operation = document.paths[path]?.[method] as Operation | undefined;
    expect(operation).toBeDefined();
    expect(operation!["x-permission"]).toBe(permission ?? undefined);
    // A workspace permission means an API key with that scope may call; the rest are for signed-in users.
    expect(operation!.security).toEqual(permission ? [{ bearerAuth: [] }, { apiKey: [] }] : [{ bearerAuth: [] }]);
    expect(Object.keys(operation!.responses)).toEqual(expect.arrayContaining(["401"]));
    if (path.includes("{workspaceId}")) expect(Object.keys(operation!.responses)).toEqual(expect.arrayContaining(["404"]));
    for (const status of Object.keys(operation!.responses).filter((status) => !status.startsWith("2"))) {
      expect(Object.keys(operation!.responses[status]!.content ?? {})).toEqual(["application/problem+json"]);
    }
  });

  it("takes closed bodies only", () => {
    for (const name of ["CreateWorkspace", "UpdateWorkspace", "ChangeMemberRole", "CreateCustomRole", "UpdateCustomRole"]) {
      expect(schema(`#/components/schemas/${name}`).additionalProperties, name).toBe(false);
    }
  });

  it("shows members and audit entries with their documented fields only: no IP, user agent or secret", () => {
    expect(Object.keys(schema("#/components/schemas/Member").properties!).sort()).toEqual(["customRole", "email", "joinedAt", "name", "role", "userId"]);
    expect(Object.keys(schema("#/components/schemas/AuditEntry").properties!).sort()).toEqual(["action", "actor", "createdAt", "details", "id", "requestId", "target"]);
  });
});
