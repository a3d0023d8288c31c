import { createRoute, z } from "@hono/zod-openapi";
import { OAUTH_PROVIDERS } from "../../../db/schema";
import { BEARER_AUTH, jsonBody, problemResponse } from "../../../lib/openapi";
import { ProviderParams, ReturnToSchema } from "../auth/oauth.routes";

const IdentitySchema = z
  .object({
    id: z.string(),
    provider: z.enum(OAUTH_PROVIDERS),
    email: z.string().nullable().openapi({ description: "The address the provider gave at the last sign-in; shown only to tell accounts apart." }),
    createdAt: z.iso.datetime(),
  })
  .openapi("Identity");

const LinkSchema = z.object({ returnTo: ReturnToSchema.optional() }).strict().openapi("LinkIdentity");

const tags = ["Accounts"];
const security = BEARER_AUTH;

export const listIdentities = createRoute({
  method: "get",
  path: "/identities",
  tags,
  security,
  summary: "The provider accounts linked to the signed-in user.",
  responses: {
    200: { description: "Linked accounts, by provider.", content: { "application/json": { schema: z.object({ identities: z.array(IdentitySchema) }) } } },
    401: problemResponse("No valid access token."),
  },
});

export const linkIdentity = createRoute({
  method: "post",
  path: "/identities/{provider}",
  tags,
  security,
  summary:
    "Start linking a provider account: answers the provider's URL and sets the state cookie (call with credentials); the browser goes there, and the callback links the account and returns to `returnTo` with `?linked=<provider>` or `?error=`.",
  request: { params: ProviderParams, body: jsonBody(LinkSchema) },
  responses: {
    200: { description: "Where to send the browser.", content: { "application/json": { schema: z.object({ authorizationUrl: z.string() }).openapi("OAuthAuthorization") } } },
    400: problemResponse("An invalid body or `returnTo`."),
    401: problemResponse("No valid access token."),
    404: problemResponse("This provider is not configured here."),
  },
});

export const unlinkIdentity = createRoute({
  method: "delete",
  path: "/identities/{provider}",
  tags,
  security,
  summary: "Unlink the provider account; refused while it is the only way to sign in (no password, no other provider).",
  request: { params: ProviderParams },
  responses: {
    204: { description: "Unlinked." },
    401: problemResponse("No valid access token."),
    404: problemResponse("No account of this provider is linked."),
    409: problemResponse("It is the account's last way to sign in."),
  },
});

export type ListIdentitiesRoute = typeof listIdentities;
export type LinkIdentityRoute = typeof linkIdentity;
export type UnlinkIdentityRoute = typeof unlinkIdentity;
