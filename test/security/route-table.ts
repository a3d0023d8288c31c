import { eq } from "drizzle-orm";
import { workspaceMembers, workspaces } from "../../src/db/schema";
import { db } from "../helpers/accounts";
import { insertAttachment, insertComment, insertInvitation, insertKey, insertProject, insertRole, insertTask, insertWebhookDelivery, randomProjectKey, signedLinkOf } from "./fixtures";
import { insertInboundDelivery, insertWebhookSource } from "./inbound-fixtures";
import { passwordlessUser } from "./principals";
import type { Principal, World } from "./principals";

/** A request a case sends; the table adds the principal's credentials and an address of its own. */
export interface CaseRequest {
  path: string;
  method?: string;
  body?: unknown;
  /** A raw body sent as it is, with its type and length, instead of a JSON `body` (an upload). */
  file?: { bytes: Uint8Array<ArrayBuffer>; type: string };
}

/** The headers and body `request` is sent with, `headers` added: JSON, or a file as it is. */
export function bodyOf(request: CaseRequest, headers: Record<string, string>): { headers: Record<string, string>; body?: BodyInit } {
  if (request.file) return { headers: { ...headers, "Content-Type": request.file.type, "Content-Length": String(request.file.bytes.byteLength) }, body: request.file.bytes };
  if (request.body === undefined) return { headers };
  return { headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(request.body) };
}

export interface CaseContext {
  world: World;
  principal: Principal;
}

/**
 * Who may call a route, and what they get:
 * - `public`: anyone, with credentials or without, gets `ok` (for most, a 400 for the empty body:
 *   nothing about who asks changes the answer);
 * - `user`: any signed-in user gets `ok`; nobody and an API key get 401;
 * - `platformAdmin`: platform admins get `ok`, other users 403, nobody and keys 401;
 * - `workspace`: a route made with `workspaceRoute`; its permission is read from the OpenAPI document
 *   (`x-permission`): nobody 401, the other workspace's owner and a platform admin 404, a role or key
 *   with the permission `ok`, without it 403. `userOnly` routes refuse keys with 401;
 * - `member`: a route inside a workspace for its members as people, whatever their role (no
 *   permission, no key): nobody and keys 401, the other workspace's owner and a platform admin 404,
 *   every role `ok`.
 * `overrides` sets the status of some principals where a rule beyond the permission decides.
 */
export type RouteEntry = {
  request: (context: CaseContext) => CaseRequest | Promise<CaseRequest>;
  ok: number;
  overrides?: Partial<Record<Principal, number>>;
  /** The case signs in a user made for it, not the shared one: the route ends the account or its sessions. */
  freshUser?: boolean;
} & ({ access: "public" | "user" | "platformAdmin" | "member" } | { access: "workspace"; userOnly?: boolean });

const get = (path: string): CaseRequest => ({ path });
const post = (path: string, body: unknown = {}): CaseRequest => ({ path, method: "POST", body });
const patch = (path: string, body: unknown = {}): CaseRequest => ({ path, method: "PATCH", body });
const del = (path: string, body?: unknown): CaseRequest => ({ path, method: "DELETE", body });

const uniqueAddress = () => `invited-${crypto.randomUUID().slice(0, 8)}@example.test`;
const workspacePath = ({ world }: CaseContext, rest = "") => `/v1/workspaces/${world.workspaceId}${rest}`;

const UNKNOWN_SESSION = "ses_00000000000000000000000000";
const UNKNOWN_IP_RULE = "ipr_00000000000000000000000000";

/**
 * Every route of the app, by Hono method and path. A route missing here fails the table's first
 * test, and so does an entry for a route that no longer exists.
 */
export const ROUTE_TABLE: Record<string, RouteEntry> = {
  "GET /health": { access: "public", request: () => get("/health"), ok: 200 },
  "GET /ready": { access: "public", request: () => get("/ready"), ok: 200 },
  "GET /.well-known/jwks.json": { access: "public", request: () => get("/.well-known/jwks.json"), ok: 200 },
  "GET /v1/openapi.json": { access: "public", request: () => get("/v1/openapi.json"), ok: 200 },
  "GET /docs": { access: "public", request: () => get("/docs"), ok: 200 },
  "GET /dev/outbox": { access: "public", request: () => get("/dev/outbox?to=nobody@example.test"), ok: 200 },
  // Its own bearer token (METRICS_TOKEN), which no principal holds: every one of them is refused alike.
  "GET /metrics": { access: "public", request: () => get("/metrics"), ok: 401 },

  // Identity's flows: public, refused at validation for an empty body whoever asks.
  "POST /v1/auth/login": { access: "public", request: () => post("/v1/auth/login"), ok: 400 },
  "POST /v1/auth/refresh": { access: "public", request: () => post("/v1/auth/refresh"), ok: 400 },
  "POST /v1/auth/register": { access: "public", request: () => post("/v1/auth/register"), ok: 400 },
  "POST /v1/auth/email/verify": { access: "public", request: () => post("/v1/auth/email/verify"), ok: 400 },
  "POST /v1/auth/password/forgot": { access: "public", request: () => post("/v1/auth/password/forgot"), ok: 400 },
  "POST /v1/auth/password/reset": { access: "public", request: () => post("/v1/auth/password/reset"), ok: 400 },
  // Sign-in with a provider: a start redirects whoever asks; a callback without the browser's state
  // cookie, and an exchange without a code, are refused whoever asks.
  "GET /v1/auth/oauth/:provider/start": { access: "public", request: () => get("/v1/auth/oauth/google/start"), ok: 302 },
  "GET /v1/auth/oauth/:provider/callback": { access: "public", request: () => get("/v1/auth/oauth/google/callback?state=unknown&code=unknown"), ok: 400 },
  "POST /v1/auth/oauth/exchange": { access: "public", request: () => post("/v1/auth/oauth/exchange"), ok: 400 },

  // The signed-in user's own account and sessions.
  "POST /v1/auth/logout": { access: "user", request: () => post("/v1/auth/logout"), ok: 204, freshUser: true },
  "GET /v1/auth/sessions": { access: "user", request: () => get("/v1/auth/sessions"), ok: 200 },
  "DELETE /v1/auth/sessions/:id": { access: "user", request: () => del(`/v1/auth/sessions/${UNKNOWN_SESSION}`), ok: 404 },
  "DELETE /v1/auth/sessions": { access: "user", request: () => del("/v1/auth/sessions"), ok: 200, freshUser: true },
  // Accepted whether or not there is anything to send: the answer tells nobody whether the address is verified.
  "POST /v1/auth/email/verification": { access: "user", request: () => post("/v1/auth/email/verification"), ok: 202 },
  "POST /v1/auth/password/change": { access: "user", request: () => post("/v1/auth/password/change"), ok: 400 },
  "GET /v1/me": { access: "user", request: () => get("/v1/me"), ok: 200 },
  "PATCH /v1/me": { access: "user", request: () => patch("/v1/me", { name: "Renamed" }), ok: 200 },
  "DELETE /v1/me": { access: "user", request: () => del("/v1/me"), ok: 204, freshUser: true },
  "GET /v1/me/identities": { access: "user", request: () => get("/v1/me/identities"), ok: 200 },
  "POST /v1/me/identities/:provider": { access: "user", request: () => post("/v1/me/identities/google"), ok: 200 },
  // Nothing is linked to the cast's users: there is nothing to unlink.
  "DELETE /v1/me/identities/:provider": { access: "user", request: () => del("/v1/me/identities/github"), ok: 404 },

  // The platform admins' IP rules.
  "GET /v1/admin/ip-rules": { access: "platformAdmin", request: () => get("/v1/admin/ip-rules"), ok: 200 },
  "POST /v1/admin/ip-rules": { access: "platformAdmin", request: () => post("/v1/admin/ip-rules"), ok: 400 },
  "DELETE /v1/admin/ip-rules/:id": { access: "platformAdmin", request: () => del(`/v1/admin/ip-rules/${UNKNOWN_IP_RULE}`), ok: 404 },

  // Workspaces. A new one is made by a user of their own (the cast owns one per case).
  "POST /v1/workspaces": { access: "user", request: () => post("/v1/workspaces", { name: "Launch" }), ok: 201, freshUser: true },
  "GET /v1/workspaces": { access: "user", request: () => get("/v1/workspaces"), ok: 200 },
  "GET /v1/workspaces/:workspaceId": { access: "workspace", request: (context) => get(workspacePath(context)), ok: 200 },
  "PATCH /v1/workspaces/:workspaceId": { access: "workspace", request: (context) => patch(workspacePath(context), { name: "Renamed" }), ok: 200 },
  "DELETE /v1/workspaces/:workspaceId": { access: "workspace", request: (context) => del(workspacePath(context)), ok: 204 },
  // Of a deleted workspace: its owners alone may bring it back; to anyone else it does not exist.
  "POST /v1/workspaces/:workspaceId/restore": {
    access: "member",
    request: async (context) => {
      await db.update(workspaces).set({ deletedAt: new Date() }).where(eq(workspaces.id, context.world.workspaceId));
      return post(workspacePath(context, "/restore"), undefined);
    },
    ok: 200,
    overrides: { admin: 404, member: 404, viewer: 404 },
  },
  // The only owner cannot leave; everyone else can.
  "POST /v1/workspaces/:workspaceId/leave": { access: "member", request: (context) => post(workspacePath(context, "/leave"), undefined), ok: 204, overrides: { owner: 409 } },

  // Members. The one acted on holds a custom role of member:manage alone and is moved to another such
  // role, so a key with that one scope outranks them (nobody changes a member who holds more than they do).
  "GET /v1/workspaces/:workspaceId/members": { access: "workspace", request: (context) => get(workspacePath(context, "/members")), ok: 200 },
  "PATCH /v1/workspaces/:workspaceId/members/:userId": {
    access: "workspace",
    request: async (context) => patch(workspacePath(context, `/members/${await managerOf(context)}`), { customRoleId: await insertRole(context.world.workspaceId, ["member:manage"]) }),
    ok: 200,
  },
  "DELETE /v1/workspaces/:workspaceId/members/:userId": { access: "workspace", request: async (context) => del(workspacePath(context, `/members/${await managerOf(context)}`)), ok: 204 },

  // Custom roles; the one acted on, and any created, hold role:manage alone.
  "GET /v1/workspaces/:workspaceId/roles": { access: "workspace", request: (context) => get(workspacePath(context, "/roles")), ok: 200 },
  "POST /v1/workspaces/:workspaceId/roles": { access: "workspace", request: (context) => post(workspacePath(context, "/roles"), { name: "Role keepers", permissions: ["role:manage"] }), ok: 201 },
  "PATCH /v1/workspaces/:workspaceId/roles/:roleId": {
    access: "workspace",
    request: async (context) => patch(workspacePath(context, `/roles/${await insertRole(context.world.workspaceId, ["role:manage"])}`), { name: "Renamed" }),
    ok: 200,
  },
  "DELETE /v1/workspaces/:workspaceId/roles/:roleId": {
    access: "workspace",
    request: async (context) => del(workspacePath(context, `/roles/${await insertRole(context.world.workspaceId, ["role:manage"])}`)),
    ok: 204,
  },

  "GET /v1/workspaces/:workspaceId/audit-log": { access: "workspace", request: (context) => get(workspacePath(context, "/audit-log")), ok: 200 },

  // Invitations, for the invited person: accepting needs a signed-in user, declining only the token.
  "POST /v1/invitations/accept": { access: "user", request: () => post("/v1/invitations/accept"), ok: 400 },
  "POST /v1/invitations/decline": { access: "public", request: () => post("/v1/invitations/decline"), ok: 400 },

  // A workspace's invitations. They grant a custom role holding member:invite alone, so a key with
  // that one scope may send them too (nobody grants more than they hold).
  "POST /v1/workspaces/:workspaceId/invitations": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, "/invitations"), { email: uniqueAddress(), customRoleId: await insertRole(context.world.workspaceId, ["member:invite"]) }),
    ok: 201,
  },
  "GET /v1/workspaces/:workspaceId/invitations": { access: "workspace", request: (context) => get(workspacePath(context, "/invitations")), ok: 200 },
  "DELETE /v1/workspaces/:workspaceId/invitations/:invitationId": {
    access: "workspace",
    request: async (context) => del(workspacePath(context, `/invitations/${await invitationOf(context)}`)),
    ok: 204,
  },
  "POST /v1/workspaces/:workspaceId/invitations/:invitationId/resend": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, `/invitations/${await invitationOf(context)}/resend`), undefined),
    ok: 200,
  },

  // A workspace's API keys; the one acted on, and any created, hold apikey:manage alone.
  "GET /v1/workspaces/:workspaceId/api-keys": { access: "workspace", request: (context) => get(workspacePath(context, "/api-keys")), ok: 200 },
  "POST /v1/workspaces/:workspaceId/api-keys": { access: "workspace", request: (context) => post(workspacePath(context, "/api-keys"), { name: "Deploys", scopes: ["apikey:manage"] }), ok: 201 },
  "GET /v1/workspaces/:workspaceId/api-keys/:keyId": { access: "workspace", request: async (context) => get(workspacePath(context, `/api-keys/${await keyOf(context)}`)), ok: 200 },
  "POST /v1/workspaces/:workspaceId/api-keys/:keyId/rotate": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, `/api-keys/${await keyOf(context)}/rotate`)),
    ok: 200,
  },
  "DELETE /v1/workspaces/:workspaceId/api-keys/:keyId": { access: "workspace", request: async (context) => del(workspacePath(context, `/api-keys/${await keyOf(context)}`)), ok: 204 },

  // Projects and tasks; each case acts on objects of its own, deleted ones for a restore.
  "GET /v1/workspaces/:workspaceId/projects": { access: "workspace", request: (context) => get(workspacePath(context, "/projects")), ok: 200 },
  "POST /v1/workspaces/:workspaceId/projects": { access: "workspace", request: (context) => post(workspacePath(context, "/projects"), { key: randomProjectKey(), name: "Launch" }), ok: 201 },
  "GET /v1/workspaces/:workspaceId/projects/deleted": { access: "workspace", request: (context) => get(workspacePath(context, "/projects/deleted")), ok: 200 },
  "GET /v1/workspaces/:workspaceId/projects/:projectId": { access: "workspace", request: async (context) => get(workspacePath(context, `/projects/${await projectOf(context)}`)), ok: 200 },
  "PATCH /v1/workspaces/:workspaceId/projects/:projectId": {
    access: "workspace",
    request: async (context) => patch(workspacePath(context, `/projects/${await projectOf(context)}`), { name: "Renamed" }),
    ok: 200,
  },
  "POST /v1/workspaces/:workspaceId/projects/:projectId/archive": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, `/projects/${await projectOf(context)}/archive`), undefined),
    ok: 200,
  },
  "POST /v1/workspaces/:workspaceId/projects/:projectId/unarchive": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, `/projects/${await projectOf(context)}/unarchive`), undefined),
    ok: 200,
  },
  "POST /v1/workspaces/:workspaceId/projects/:projectId/restore": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, `/projects/${await projectOf(context, { deleted: true })}/restore`), undefined),
    ok: 200,
  },
  "DELETE /v1/workspaces/:workspaceId/projects/:projectId": { access: "workspace", request: async (context) => del(workspacePath(context, `/projects/${await projectOf(context)}`)), ok: 204 },
  "POST /v1/workspaces/:workspaceId/projects/:projectId/tasks": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, `/projects/${await projectOf(context)}/tasks`), { title: "Launch" }),
    ok: 201,
  },
  "GET /v1/workspaces/:workspaceId/tasks": { access: "workspace", request: (context) => get(workspacePath(context, "/tasks")), ok: 200 },
  "POST /v1/workspaces/:workspaceId/tasks/bulk": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, "/tasks/bulk"), { items: [{ op: "create", projectId: await projectOf(context), title: "Launch" }] }),
    ok: 200,
  },
  "GET /v1/workspaces/:workspaceId/tasks/deleted": { access: "workspace", request: (context) => get(workspacePath(context, "/tasks/deleted")), ok: 200 },
  "GET /v1/workspaces/:workspaceId/tasks/:taskId": { access: "workspace", request: async (context) => get(workspacePath(context, `/tasks/${await taskOf(context)}`)), ok: 200 },
  "PATCH /v1/workspaces/:workspaceId/tasks/:taskId": { access: "workspace", request: async (context) => patch(workspacePath(context, `/tasks/${await taskOf(context)}`), { status: "done" }), ok: 200 },
  "DELETE /v1/workspaces/:workspaceId/tasks/:taskId": { access: "workspace", request: async (context) => del(workspacePath(context, `/tasks/${await taskOf(context)}`)), ok: 204 },
  "POST /v1/workspaces/:workspaceId/tasks/:taskId/restore": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, `/tasks/${await taskOf(context, { deleted: true })}/restore`), undefined),
    ok: 200,
  },

  // A task's comments. The one acted on was written by the principal (by A's owner for a key, whose
  // id is not known yet): a comment is edited by its author alone, so a key gets 403 for another's.
  "GET /v1/workspaces/:workspaceId/tasks/:taskId/comments": { access: "workspace", request: async (context) => get(workspacePath(context, `/tasks/${await taskOf(context)}/comments`)), ok: 200 },
  "POST /v1/workspaces/:workspaceId/tasks/:taskId/comments": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, `/tasks/${await taskOf(context)}/comments`), { body: "Looks good." }),
    ok: 201,
  },
  "GET /v1/workspaces/:workspaceId/comments/deleted": { access: "workspace", request: (context) => get(workspacePath(context, "/comments/deleted")), ok: 200 },
  "GET /v1/workspaces/:workspaceId/tasks/:taskId/comments/:commentId": { access: "workspace", request: async (context) => get(workspacePath(context, await commentPath(context))), ok: 200 },
  "PATCH /v1/workspaces/:workspaceId/tasks/:taskId/comments/:commentId": {
    access: "workspace",
    request: async (context) => patch(workspacePath(context, await commentPath(context)), { body: "Edited." }),
    ok: 200,
    overrides: { keyWithScope: 403 },
  },
  "DELETE /v1/workspaces/:workspaceId/tasks/:taskId/comments/:commentId": {
    access: "workspace",
    request: async (context) => del(workspacePath(context, await commentPath(context))),
    ok: 204,
    overrides: { keyWithScope: 403 },
  },
  "POST /v1/workspaces/:workspaceId/tasks/:taskId/comments/:commentId/restore": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, `${await commentPath(context, { deleted: true })}/restore`), undefined),
    ok: 200,
    overrides: { keyWithScope: 403 },
  },

  // A task's attachments, and their files through signed links (the link is the authorization).
  "GET /v1/workspaces/:workspaceId/tasks/:taskId/attachments": { access: "workspace", request: async (context) => get(workspacePath(context, `/tasks/${await taskOf(context)}/attachments`)), ok: 200 },
  "POST /v1/workspaces/:workspaceId/tasks/:taskId/attachments": {
    access: "workspace",
    request: async (context) => ({ path: workspacePath(context, `/tasks/${await taskOf(context)}/attachments?name=case.png`), method: "POST", file: { bytes: PNG, type: "image/png" } }),
    ok: 201,
  },
  "GET /v1/workspaces/:workspaceId/tasks/:taskId/attachments/:attachmentId": { access: "workspace", request: async (context) => get(workspacePath(context, await attachmentPath(context))), ok: 200 },
  "POST /v1/workspaces/:workspaceId/tasks/:taskId/attachments/:attachmentId/url": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, `${await attachmentPath(context)}/url`), undefined),
    ok: 200,
  },
  "DELETE /v1/workspaces/:workspaceId/tasks/:taskId/attachments/:attachmentId": { access: "workspace", request: async (context) => del(workspacePath(context, await attachmentPath(context))), ok: 204 },
  "GET /v1/workspaces/:workspaceId/attachments/deleted": { access: "workspace", request: (context) => get(workspacePath(context, "/attachments/deleted")), ok: 200 },
  // The deleted attachment was uploaded by the principal (by A's owner for a key): a key, neither its uploader nor an owner or admin, gets 403.
  "POST /v1/workspaces/:workspaceId/tasks/:taskId/attachments/:attachmentId/restore": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, `${await attachmentPath(context, { deleted: true })}/restore`), undefined),
    ok: 200,
    overrides: { keyWithScope: 403 },
  },
  // Outbound webhooks: each case acts on an endpoint of its own, with one failed delivery.
  "GET /v1/workspaces/:workspaceId/webhook-endpoints": { access: "workspace", request: (context) => get(workspacePath(context, "/webhook-endpoints")), ok: 200 },
  "POST /v1/workspaces/:workspaceId/webhook-endpoints": {
    access: "workspace",
    request: (context) => post(workspacePath(context, "/webhook-endpoints"), { url: "https://hooks.example.com/created", eventTypes: ["task.created"] }),
    ok: 201,
  },
  "GET /v1/workspaces/:workspaceId/webhook-endpoints/:endpointId": { access: "workspace", request: async (context) => get(workspacePath(context, await endpointPath(context))), ok: 200 },
  "PATCH /v1/workspaces/:workspaceId/webhook-endpoints/:endpointId": {
    access: "workspace",
    request: async (context) => patch(workspacePath(context, await endpointPath(context)), { description: "Changed" }),
    ok: 200,
  },
  "DELETE /v1/workspaces/:workspaceId/webhook-endpoints/:endpointId": { access: "workspace", request: async (context) => del(workspacePath(context, await endpointPath(context))), ok: 204 },
  "POST /v1/workspaces/:workspaceId/webhook-endpoints/:endpointId/rotate-secret": {
    access: "workspace",
    request: async (context) => post(workspacePath(context, `${await endpointPath(context)}/rotate-secret`), { overlapSeconds: 60 }),
    ok: 200,
  },
  "GET /v1/workspaces/:workspaceId/webhook-endpoints/:endpointId/deliveries": {
    access: "workspace",
    request: async (context) => get(workspacePath(context, `${await endpointPath(context)}/deliveries`)),
    ok: 200,
  },
  "POST /v1/workspaces/:workspaceId/webhook-endpoints/:endpointId/deliveries/:deliveryId/retry": {
    access: "workspace",
    request: async (context) => {
      const { endpointId, deliveryId } = await insertWebhookDelivery(context.world.workspaceId, context.world.owner.id);
      return post(workspacePath(context, `/webhook-endpoints/${endpointId}/deliveries/${deliveryId}/retry`), undefined);
    },
    ok: 202,
  },
  // Real-time notifications: the ticket and the inbox are the signed-in user's own (a key gets none);
  // the socket takes a ticket instead of credentials, and anything but an upgrade is refused whoever asks.
  "POST /v1/realtime/ticket": { access: "user", request: () => post("/v1/realtime/ticket", undefined), ok: 201 },
  "GET /v1/realtime": { access: "public", request: () => get("/v1/realtime"), ok: 426 },
  "GET /v1/notifications": { access: "user", request: () => get("/v1/notifications"), ok: 200 },
  "POST /v1/notifications/read": { access: "user", request: () => post("/v1/notifications/read", { upTo: 1 }), ok: 200 },

  "GET /v1/attachments/:attachmentId/content": {
    access: "public",
    request: async (context) => {
      const { id } = await insertAttachment(context.world.workspaceId, await taskOf(context), context.world.owner.id, { stored: true });
      return get(await signedLinkOf(id));
    },
    ok: 200,
  },

  // Inbound webhooks: a workspace's sources and their delivery log; the hook itself is the sender's,
  // refused at its headers (no GitHub delivery id, no signature) whoever asks.
  "POST /v1/hooks/:sourceId": { access: "public", request: async ({ world }) => post(`/v1/hooks/${await insertWebhookSource(world.workspaceId, world.owner.id)}`), ok: 400 },
  "GET /v1/workspaces/:workspaceId/webhook-sources": { access: "workspace", request: (context) => get(workspacePath(context, "/webhook-sources")), ok: 200 },
  "POST /v1/workspaces/:workspaceId/webhook-sources": { access: "workspace", request: (context) => post(workspacePath(context, "/webhook-sources"), { kind: "github", name: "Deploys" }), ok: 201 },
  "GET /v1/workspaces/:workspaceId/webhook-sources/:sourceId": { access: "workspace", request: async (context) => get(workspacePath(context, `/webhook-sources/${await sourceOf(context)}`)), ok: 200 },
  "DELETE /v1/workspaces/:workspaceId/webhook-sources/:sourceId": { access: "workspace", request: async (context) => del(workspacePath(context, `/webhook-sources/${await sourceOf(context)}`)), ok: 204 },
  "GET /v1/workspaces/:workspaceId/webhook-sources/:sourceId/deliveries": {
    access: "workspace",
    request: async (context) => get(workspacePath(context, `/webhook-sources/${await sourceOf(context)}/deliveries`)),
    ok: 200,
  },
  "POST /v1/workspaces/:workspaceId/webhook-sources/:sourceId/deliveries/:deliveryId/replay": {
    access: "workspace",
    request: async (context) => {
      const { sourceId, id } = await insertInboundDelivery(context.world.workspaceId, context.world.owner.id);
      return post(workspacePath(context, `/webhook-sources/${sourceId}/deliveries/${id}/replay`), undefined);
    },
    ok: 202,
  },
};

function sourceOf({ world }: CaseContext): Promise<string> {
  return insertWebhookSource(world.workspaceId, world.owner.id);
}

function projectOf({ world }: CaseContext, options: { deleted?: boolean } = {}): Promise<string> {
  return insertProject(world.workspaceId, world.owner.id, options);
}

function taskOf({ world }: CaseContext, options: { deleted?: boolean } = {}): Promise<string> {
  return insertTask(world.workspaceId, world.owner.id, options);
}

/** A PNG's signature and some bytes: what an upload case sends. */
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

/**
 * `/tasks/:taskId/attachments/:attachmentId` of a ready attachment on a live task of A, uploaded by A's
 * owner; a deleted one uploaded by the principal when `deleted` (restoring is for its uploader, owners and admins).
 */
async function attachmentPath(context: CaseContext, { deleted = false } = {}): Promise<string> {
  const taskId = await taskOf(context);
  const uploader = deleted ? userOf(context) : context.world.owner.id;
  return `/tasks/${taskId}/attachments/${(await insertAttachment(context.world.workspaceId, taskId, uploader, { deleted })).id}`;
}

/** The user a principal signs in as, where it is a member of A; A's owner for everyone else. */
function userOf({ world, principal }: CaseContext): string {
  if (principal === "admin" || principal === "member" || principal === "viewer") return world.cast[principal].id;
  return world.owner.id;
}

/** `/tasks/:taskId/comments/:commentId` of a comment the principal wrote on a live task of A. */
async function commentPath(context: CaseContext, { deleted = false } = {}): Promise<string> {
  const taskId = await taskOf(context);
  return `/tasks/${taskId}/comments/${await insertComment(context.world.workspaceId, taskId, userOf(context), { deleted })}`;
}

async function invitationOf({ world }: CaseContext): Promise<string> {
  return insertInvitation(world.workspaceId, await insertRole(world.workspaceId, ["member:invite"]));
}

/** `/webhook-endpoints/:endpointId` of a live endpoint of A. */
async function endpointPath({ world }: CaseContext): Promise<string> {
  return `/webhook-endpoints/${(await insertWebhookDelivery(world.workspaceId, world.owner.id)).endpointId}`;
}

async function keyOf({ world }: CaseContext): Promise<string> {
  return (await insertKey(world.workspaceId, ["apikey:manage"])).id;
}

/** A member of the case's workspace A holding a custom role of member:manage alone; their user id. */
async function managerOf({ world }: CaseContext): Promise<string> {
  const [user, customRoleId] = await Promise.all([passwordlessUser(), insertRole(world.workspaceId, ["member:manage"])]);
  await db.insert(workspaceMembers).values({ workspaceId: world.workspaceId, userId: user.id, customRoleId });
  return user.id;
}
