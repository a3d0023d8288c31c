import { eq } from "drizzle-orm";
import { workspaceMembers, workspaces } from "../../src/db/schema";
import { db } from "../helpers/accounts";
import { insertInvitation, insertKey, insertRole } from "./fixtures";
import { passwordlessUser } from "./principals";
import type { Principal, World } from "./principals";

/** A request a case sends; the table adds the principal's credentials and an address of its own. */
export interface CaseRequest {
  path: string;
  method?: string;
  body?: unknown;
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

  // Identity's flows: public, refused at validation for an empty body whoever asks.
  "POST /v1/auth/login": { access: "public", request: () => post("/v1/auth/login"), ok: 400 },
  "POST /v1/auth/refresh": { access: "public", request: () => post("/v1/auth/refresh"), ok: 400 },
  "POST /v1/auth/register": { access: "public", request: () => post("/v1/auth/register"), ok: 400 },
  "POST /v1/auth/email/verify": { access: "public", request: () => post("/v1/auth/email/verify"), ok: 400 },
  "POST /v1/auth/password/forgot": { access: "public", request: () => post("/v1/auth/password/forgot"), ok: 400 },
  "POST /v1/auth/password/reset": { access: "public", request: () => post("/v1/auth/password/reset"), ok: 400 },

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
};

async function invitationOf({ world }: CaseContext): Promise<string> {
  return insertInvitation(world.workspaceId, await insertRole(world.workspaceId, ["member:invite"]));
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
