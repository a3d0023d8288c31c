import { createRoute, z } from "@hono/zod-openapi";
import { BEARER_AUTH, jsonBody, NO_AUTH, problemResponse } from "../../../lib/openapi";
import { BUILT_IN_ROLES } from "../../../lib/permissions";

const InvitationTokenSchema = z
  .object({ token: z.string().min(1).max(128).openapi({ description: "The token from the invitation mail's link (`it_…`)." }) })
  .strict()
  .openapi("InvitationToken", { description: "In the body, never in a URL: the token is a secret until used." });

const MembershipSchema = z
  .object({
    workspaceId: z.string(),
    role: z.enum(BUILT_IN_ROLES).nullable().openapi({ description: "The caller's built-in role in the workspace; null with a custom role." }),
    customRoleId: z.string().nullable().openapi({ description: "The caller's custom role in the workspace; null with a built-in role." }),
  })
  .openapi("Membership", { description: "The caller's membership: the invitation's role, or the role they held already if they were a member." });

const tags = ["Invitations"];
const invalidToken = "INVALID_TOKEN: unknown, used, declined, revoked or expired (one answer for all), or of a deleted workspace; or an invalid body.";

export const acceptInvitation = createRoute({
  method: "post",
  path: "/accept",
  tags,
  security: BEARER_AUTH,
  summary: "Join the workspace of an invitation, with its role. Needs a signed-in account (not an API key) whose verified address is the invited one.",
  request: { body: jsonBody(InvitationTokenSchema) },
  responses: {
    200: { description: "Joined.", content: { "application/json": { schema: MembershipSchema } } },
    400: problemResponse(invalidToken),
    401: problemResponse("No valid access token."),
    403: problemResponse("FORBIDDEN: the invitation is for another address (`invitationEmailMismatch`), or the account's address is not verified (`invitationEmailNotVerified`)."),
  },
});

export const declineInvitation = createRoute({
  method: "post",
  path: "/decline",
  security: NO_AUTH,
  tags,
  summary: "Decline an invitation. No account needed: the token proves the mail was received. Public, so under the per-client rate limit.",
  request: { body: jsonBody(InvitationTokenSchema) },
  responses: { 204: { description: "Declined; the token stops working." }, 400: problemResponse(invalidToken) },
});

export type AcceptInvitationRoute = typeof acceptInvitation;
export type DeclineInvitationRoute = typeof declineInvitation;
