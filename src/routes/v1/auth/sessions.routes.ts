import { createRoute, z } from "@hono/zod-openapi";
import { BEARER_AUTH, jsonBody, NO_AUTH, problemResponse } from "../../../lib/openapi";
import { CurrentPasswordSchema } from "../../../lib/passwords";


export const TokenPairSchema = z
  .object({
    accessToken: z.string().openapi({ description: "A JWT (ES256) for `Authorization: Bearer`, valid `expiresIn` seconds." }),
    refreshToken: z.string().openapi({ description: "Opaque; exchange it at /v1/auth/refresh. Each use rotates it." }),
    tokenType: z.literal("Bearer"),
    expiresIn: z.number().int(),
  })
  .openapi("TokenPair");

const LoginSchema = z
  .object({
    email: z.string().trim().min(1).max(254),
    password: CurrentPasswordSchema,
  })
  .strict()
  .openapi("Login");

const RefreshSchema = z.object({ refreshToken: z.string().min(1).max(128) }).strict().openapi("Refresh");

const SessionSchema = z
  .object({
    id: z.string(),
    device: z.string().openapi({ description: "Browser and system read from the User-Agent at sign-in, or `Unknown device`." }),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    current: z.boolean().openapi({ description: "Whether this is the session of the token that asked." }),
  })
  .openapi("Session");

const SessionIdParams = z.object({ id: z.string().max(64).openapi({ param: { name: "id", in: "path" } }) });

const tags = ["Authentication"];

export const login = createRoute({
  method: "post",
  path: "/login",
  security: NO_AUTH,
  tags,
  summary: "Sign in with e-mail and password; opens a session.",
  request: { body: jsonBody(LoginSchema) },
  responses: {
    200: { description: "Signed in.", content: { "application/json": { schema: TokenPairSchema } } },
    400: problemResponse("The body is not a valid login."),
    401: problemResponse("The e-mail address or the password is wrong (the same answer for unknown addresses)."),
    429: problemResponse("Too many failed logins for this account or from this address; see Retry-After."),
    503: problemResponse("The login counters cannot be reached; logging in is refused until they can."),
  },
});

export const refresh = createRoute({
  method: "post",
  path: "/refresh",
  security: NO_AUTH,
  tags,
  summary: "Exchange a refresh token for a new pair; the presented token is rotated.",
  request: { body: jsonBody(RefreshSchema) },
  responses: {
    200: { description: "A new token pair.", content: { "application/json": { schema: TokenPairSchema } } },
    400: problemResponse("The body is not a valid refresh request."),
    401: problemResponse("The refresh token is unknown, reused, or its session has ended."),
  },
});

export const logout = createRoute({
  method: "post",
  path: "/logout",
  tags,
  security: BEARER_AUTH,
  summary: "End the session of the access token; its tokens stop working.",
  responses: { 204: { description: "Signed out." }, 401: problemResponse("No valid access token.") },
});

export const listSessions = createRoute({
  method: "get",
  path: "/sessions",
  tags,
  security: BEARER_AUTH,
  summary: "The caller's active sessions, most recently used first.",
  responses: {
    200: { description: "Active sessions.", content: { "application/json": { schema: z.object({ sessions: z.array(SessionSchema) }) } } },
    401: problemResponse("No valid access token."),
  },
});

export const revokeSession = createRoute({
  method: "delete",
  path: "/sessions/{id}",
  tags,
  security: BEARER_AUTH,
  summary: "End one of the caller's sessions.",
  request: { params: SessionIdParams },
  responses: { 204: { description: "Ended." }, 401: problemResponse("No valid access token."), 404: problemResponse("No such active session of the caller.") },
});

export const revokeOtherSessions = createRoute({
  method: "delete",
  path: "/sessions",
  tags,
  security: BEARER_AUTH,
  summary: "End every session of the caller but the current one.",
  responses: {
    200: { description: "How many sessions ended.", content: { "application/json": { schema: z.object({ revoked: z.number().int() }) } } },
    401: problemResponse("No valid access token."),
  },
});

export type LoginRoute = typeof login;
export type RefreshRoute = typeof refresh;
export type LogoutRoute = typeof logout;
export type ListSessionsRoute = typeof listSessions;
export type RevokeSessionRoute = typeof revokeSession;
export type RevokeOtherSessionsRoute = typeof revokeOtherSessions;
