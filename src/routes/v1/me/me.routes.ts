import { createRoute, z } from "@hono/zod-openapi";
import { BEARER_AUTH, problemResponse } from "../../../lib/openapi";
import { LOCALES, USER_ROLES } from "../../../db/schema";


/** The signed-in user's profile, as every /v1/me answer shows it. */
export const ProfileSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    emailVerified: z.boolean().openapi({ description: "Whether the address was confirmed through the link in the verification mail." }),
    name: z.string().nullable(),
    locale: z.enum(LOCALES).openapi({ description: "The language of mails to this account." }),
    role: z.enum(USER_ROLES),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Profile");

const UpdateProfileSchema = z
  .object({
    name: z.string().trim().min(1).max(100).nullable().optional().openapi({ description: "`null` removes the name." }),
    locale: z.enum(LOCALES).optional(),
  })
  .strict()
  .refine((changes) => changes.name !== undefined || changes.locale !== undefined, "name or locale is required")
  .openapi("UpdateProfile");

const profile = { description: "The profile.", content: { "application/json": { schema: ProfileSchema } } };
const security = BEARER_AUTH;
const tags = ["Accounts"];

export const getMe = createRoute({
  method: "get",
  path: "/",
  tags,
  security,
  summary: "The signed-in user's profile.",
  responses: { 200: profile, 401: problemResponse("No valid access token.") },
});

export const updateMe = createRoute({
  method: "patch",
  path: "/",
  tags,
  security,
  summary: "Change the name or the language; nothing else of the profile can be changed here.",
  request: { body: { content: { "application/json": { schema: UpdateProfileSchema } }, required: true } },
  responses: { 200: profile, 400: problemResponse("The body is invalid or carries another field."), 401: problemResponse("No valid access token.") },
});

export const deleteMe = createRoute({
  method: "delete",
  path: "/",
  tags,
  security,
  summary: "Delete the account: it is hidden at once, every session ends, and its address may register again.",
  responses: { 204: { description: "Deleted." }, 401: problemResponse("No valid access token.") },
});

export type GetMeRoute = typeof getMe;
export type UpdateMeRoute = typeof updateMe;
export type DeleteMeRoute = typeof deleteMe;
