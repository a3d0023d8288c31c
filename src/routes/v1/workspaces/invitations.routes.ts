import { z } from "@hono/zod-openapi";
import { jsonBody, problemResponse } from "../../../lib/openapi";
import { BUILT_IN_ROLES } from "../../../lib/permissions";
import { workspaceRoute, WorkspaceParams } from "../../../lib/workspace-route";
import { MAX_INVITATION_SENDS, MAX_PENDING_INVITATIONS, RESEND_INTERVAL_MS } from "../../../services/workspaces/invitations-common";

export const InvitationSchema = z
  .object({
    id: z.string().openapi({ example: "inv_0g5k2m7x9q3w8e4r6t1y5u2i7o" }),
    email: z.string().openapi({ description: "The invited address, lowercase: only a verified account of it can accept." }),
    role: z.enum(BUILT_IN_ROLES).nullable().openapi({ description: "The built-in role it grants; null when it grants a custom role." }),
    customRoleId: z.string().nullable().openapi({ description: "The workspace's custom role it grants; null when it grants a built-in role." }),
    status: z.enum(["pending", "accepted", "declined", "revoked", "expired"]),
    invitedBy: z.string().nullable().openapi({ description: "The member who invited; null when an API key did, or their account is gone." }),
    sendCount: z.int().openapi({ description: `Mails sent for it, the first included; at most ${MAX_INVITATION_SENDS}.` }),
    lastSentAt: z.iso.datetime(),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().openapi({ description: "Seven days after the latest mail." }),
  })
  .openapi("Invitation", { description: "An invitation to the workspace; its token went to the invited address alone and is never shown." });

const InvitationListSchema = z
  .object({ invitations: z.array(InvitationSchema).max(MAX_PENDING_INVITATIONS).openapi({ description: "The pending invitations, newest first." }) })
  .openapi("InvitationList");

const CreateInvitationSchema = z
  .object({
    email: z.email().max(254).openapi({ example: "grace@example.com" }),
    role: z.enum(BUILT_IN_ROLES).optional().openapi({ description: "A built-in role; only owners invite owners." }),
    customRoleId: z.string().max(64).optional().openapi({ description: "One of the workspace's custom roles." }),
  })
  .strict()
  .refine((body) => (body.role === undefined) !== (body.customRoleId === undefined), { message: "give exactly one of role and customRoleId", path: ["role"] })
  .openapi("CreateInvitation", { description: "Whom to invite, with exactly one of `role` and `customRoleId`; the role's permissions must all be the inviter's." });

const InvitationParams = WorkspaceParams.extend({
  invitationId: z.string().max(64).openapi({ param: { name: "invitationId", in: "path" }, example: "inv_0g5k2m7x9q3w8e4r6t1y5u2i7o" }),
});

const tags = ["Invitations"];
/**
 * Creating is not replayed for `Idempotency-Key`: the answer names the invited address, which is
 * not kept in Redis for a day, and a second invitation of the address is refused (409) anyway.
 */
const NOT_REPLAYED = { idempotency: false };
const invitation = (description: string) => ({ description, content: { "application/json": { schema: InvitationSchema } } });
const unauthorized = problemResponse("No valid access token or API key.");
const forbidden = problemResponse("FORBIDDEN: the caller lacks `member:invite`.");
const noWorkspace = problemResponse("No such workspace among the caller's.");
const noInvitation = problemResponse("No such workspace among the caller's, or no pending invitation of this id in it.");

export const createInvitation = workspaceRoute("member:invite", {
  method: "post",
  path: "/{workspaceId}/invitations",
  tags,
  summary: "Invite an address to the workspace; the invitation mail carries a single-use token that works for seven days.",
  request: { params: WorkspaceParams, body: jsonBody(CreateInvitationSchema) },
  responses: {
    201: invitation("Invited; the mail is on its way."),
    400: problemResponse("The body is invalid, or names both or neither of `role` and `customRoleId`."),
    401: unauthorized,
    403: problemResponse("FORBIDDEN: the caller lacks `member:invite`, or the role holds a permission the caller lacks (only owners invite owners)."),
    404: problemResponse("No such workspace among the caller's, or no such custom role in it."),
    409: problemResponse(`CONFLICT: the address is a member's already, has a pending invitation (resend that), or the workspace has ${MAX_PENDING_INVITATIONS} pending invitations.`),
  },
}, NOT_REPLAYED);

export const listInvitations = workspaceRoute("member:invite", {
  method: "get",
  path: "/{workspaceId}/invitations",
  tags,
  summary: `The workspace's pending invitations, newest first (at most ${MAX_PENDING_INVITATIONS}, the most it may hold).`,
  request: { params: WorkspaceParams },
  responses: {
    200: { description: "The pending invitations.", content: { "application/json": { schema: InvitationListSchema } } },
    401: unauthorized,
    403: forbidden,
    404: noWorkspace,
  },
});

export const revokeInvitation = workspaceRoute("member:invite", {
  method: "delete",
  path: "/{workspaceId}/invitations/{invitationId}",
  tags,
  summary: "Revoke a pending invitation: its token stops working.",
  request: { params: InvitationParams },
  responses: { 204: { description: "Revoked." }, 401: unauthorized, 403: forbidden, 404: noInvitation },
});

export const resendInvitation = workspaceRoute("member:invite", {
  method: "post",
  path: "/{workspaceId}/invitations/{invitationId}/resend",
  tags,
  summary: `Mail a pending invitation again with a new token (the previous one stops working) valid seven days; at most ${MAX_INVITATION_SENDS} mails in all, one a minute.`,
  request: { params: InvitationParams },
  responses: {
    200: invitation("Sent again."),
    401: unauthorized,
    403: forbidden,
    404: noInvitation,
    409: problemResponse(`CONFLICT: the invitation was mailed ${MAX_INVITATION_SENDS} times already; revoke it and invite anew if need be.`),
    429: problemResponse(`RATE_LIMITED: it was mailed less than ${RESEND_INTERVAL_MS / 1000} seconds ago; \`Retry-After\` says when to try again.`),
  },
});

export type CreateInvitationRoute = typeof createInvitation;
export type ListInvitationsRoute = typeof listInvitations;
export type RevokeInvitationRoute = typeof revokeInvitation;
export type ResendInvitationRoute = typeof resendInvitation;
