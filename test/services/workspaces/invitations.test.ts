import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../../../src/db/client";
import { auditLog, workspaceInvitations } from "../../../src/db/schema";
import { ApiError } from "../../../src/lib/errors";
import { newId } from "../../../src/lib/ids";
import { PERMISSIONS } from "../../../src/lib/permissions";
import { apiKeyAccess } from "../../../src/services/workspaces/access";
import { createInvitation } from "../../../src/services/workspaces/invitations";
import { manualClock } from "../../helpers/clock";
import { testConfig, uniqueEmail } from "../../helpers/identity";
import { createWorkspace } from "../../helpers/workspaces";
import { person } from "../../routes/invitations/helpers";

const deps = { db: createDatabase(testConfig()), clock: manualClock().clock };
const meta = () => ({ ip: null, userAgent: null, requestId: `test-${crypto.randomUUID()}` });

describe("invitations made with an API key", () => {
  it("records the key as the actor and nobody as the inviter", async () => {
    const workspaceId = await createWorkspace(await person());
    const keyId = newId("apiKey");
    const access = apiKeyAccess({ keyId, workspaceId, scopes: new Set(["member:invite", ...PERMISSIONS.filter((permission) => permission.endsWith(":read"))]) });
    const { invitation, mail } = await createInvitation(deps, access, { email: uniqueEmail("by-key"), role: "viewer" }, "en", meta());
    expect(invitation.invitedBy).toBeNull();
    expect(mail.template).toBe("workspace-invitation");
    const [stored] = await deps.db.http.select().from(workspaceInvitations).where(eq(workspaceInvitations.id, invitation.id));
    expect(stored!.invitedBy).toBeNull();
    const audited = await deps.db.http.select().from(auditLog).where(and(eq(auditLog.targetId, invitation.id), eq(auditLog.action, "invitation.created")));
    expect(audited).toMatchObject([{ actorId: keyId, workspaceId }]);
  });

  it("never invites an owner, whatever the key's scopes, nor to a role above its scopes", async () => {
    const workspaceId = await createWorkspace(await person());
    const everything = apiKeyAccess({ keyId: newId("apiKey"), workspaceId, scopes: new Set(PERMISSIONS) });
    const inviting = apiKeyAccess({ keyId: newId("apiKey"), workspaceId, scopes: new Set(["member:invite"]) });
    const refusal = (promise: Promise<unknown>) => promise.then(() => expect.unreachable("invited"), (error: unknown) => error as ApiError);
    expect(await refusal(createInvitation(deps, everything, { email: uniqueEmail(), role: "owner" }, "en", meta()))).toMatchObject({ code: "FORBIDDEN", options: { detail: "invitationOwnerRole" } });
    expect(await refusal(createInvitation(deps, inviting, { email: uniqueEmail(), role: "viewer" }, "en", meta()))).toMatchObject({ code: "FORBIDDEN", options: { detail: "invitationRoleTooHigh" } });
  });
});
